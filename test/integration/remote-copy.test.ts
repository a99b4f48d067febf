/**
 * Folder copies through the real MLflow artifact proxy: what one worker publishes another fetches byte for byte; a
 * version whose upload was cut short (files there, pointer not yet moved) is never read; a file altered in the store
 * fails its hash instead of being trained on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowClient } from '../../src/mlflow';
import { fetchLatest, holdsFiles, publishVersion, readFolder, readPointer, type RemoteFolder } from '../../src/activities/remote-copy';
import { testConfig } from '../helpers/stack';

describe('remote folder copies through MLflow artifacts', () => {
  const config = testConfig();
  const mlflow = new MlflowClient(config.mlflow);
  let remote: RemoteFolder;
  let runId: string;
  let tmp: string;

  beforeAll(async () => {
    const experimentId = await mlflow.getOrCreateExperiment('dml-remote-copy-test');
    const run = await mlflow.createRun(experimentId, 'remote-copy');
    runId = run.info.run_id;
    remote = { mlflow, artifactUri: run.info.artifact_uri, prefix: 'checkpoints' };
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-remote-copy-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const files = (tag: string) => ({ 'model.json': Buffer.from(`{"v":"${tag}"}`), 'weights.bin': Buffer.from([1, 2, 3, tag.length]) });

  it('finds nothing before the first publication', async () => {
    expect(await readPointer(remote)).toBeUndefined();
    expect(await fetchLatest(remote, (v) => path.join(tmp, 'none', v))).toBeUndefined();
  });

  it('fetches the published version, and still that one while a newer upload is incomplete', async () => {
    await publishVersion(remote, 'ckpt-e000001-b000000', files('one'));
    // A worker killed mid-publication: its files reached the store, the pointer did not.
    await mlflow.uploadArtifact(remote.artifactUri, 'checkpoints/ckpt-e000002-b000000/model.json', '{"torn":true}');
    const dir = await fetchLatest(remote, (v) => path.join(tmp, 'a', v));
    expect(dir).toBe(path.join(tmp, 'a', 'ckpt-e000001-b000000'));
    expect(await readFolder(dir!)).toEqual(files('one'));
  });

  it('moves to the next version once it is complete, deleting the one it replaces', async () => {
    await publishVersion(remote, 'ckpt-e000002-b000000', files('two'));
    expect((await readPointer(remote))?.version).toBe('ckpt-e000002-b000000');
    const listed = (await mlflow.listArtifacts(runId, 'checkpoints')).map((f) => f.path);
    expect(listed).not.toContain('checkpoints/ckpt-e000001-b000000');
    const dir = await fetchLatest(remote, (v) => path.join(tmp, 'b', v));
    expect(await readFolder(dir!)).toEqual(files('two'));
  });

  it('refuses a file that does not match the hash the pointer names, leaving nothing behind', async () => {
    await mlflow.uploadArtifact(remote.artifactUri, 'checkpoints/ckpt-e000002-b000000/weights.bin', Buffer.from([9]));
    await expect(fetchLatest(remote, (v) => path.join(tmp, 'c', v))).rejects.toThrow(/weights\.bin does not match its hash in LATEST\.json/);
    expect(fs.readdirSync(path.join(tmp, 'c'))).toEqual([]);
  });

  it('publishes at the URI itself with a named pointer (the model layout), and judges a local copy by its hashes', async () => {
    const model: RemoteFolder = { mlflow, artifactUri: remote.artifactUri, prefix: '', pointer: 'model.sha256.json' };
    const pointer = await publishVersion(model, 'model', files('m'));
    expect((await mlflow.listArtifacts(runId, 'model')).map((f) => f.path).sort()).toEqual(['model/model.json', 'model/weights.bin']);
    expect(await readPointer(model)).toEqual(pointer);
    const dir = (await fetchLatest(model, () => path.join(tmp, 'm')))!;
    expect(await holdsFiles(dir, pointer.files)).toBe(true);
    // Other weights (a dead attempt's), a missing file, a link in place of a file: not a copy of the published model.
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from([7]));
    expect(await holdsFiles(dir, pointer.files)).toBe(false);
    fs.rmSync(path.join(dir, 'weights.bin'));
    expect(await holdsFiles(dir, pointer.files)).toBe(false);
    fs.writeFileSync(path.join(tmp, 'outside.bin'), files('m')['weights.bin']);
    fs.symlinkSync(path.join(tmp, 'outside.bin'), path.join(dir, 'weights.bin'));
    expect(await holdsFiles(dir, pointer.files)).toBe(false);
  });
});
