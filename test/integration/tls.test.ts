/**
 * TLS and API key against a real TLS endpoint: the dev server (no TLS flags of its own) behind stunnel, with a CA
 * and server certificate made here. Client and CLI reach it through stunnel → a header-recording HTTP/2 proxy →
 * the dev server, configured only by the standard TEMPORAL_* variables or a TOML profile; the worker connects
 * over TLS too (through an ALPN-capable terminator: see startAlpnTlsProxy). A workflow runs end to end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { AppConfig, loadConfig } from '../../src/config';
import { PipelineClient } from '../../src/client';
import { createActivities } from '../../src/activities';
import { createWorkers } from '../../src/workers/create';
import { cli } from '../helpers/cli';
import { depsFor, ensureWorkflowBundle, installQuietRuntime, testConfig } from '../helpers/stack';
import { Certs, HeaderRecorder, makeCerts, startAlpnTlsProxy, startHeaderRecorder, startStunnel, Stunnel } from '../helpers/tls-proxy';

describe('Temporal over TLS with an API key (stunnel in front of the dev server)', () => {
  let dir: string;
  let certs: Certs;
  let recorder: HeaderRecorder;
  let stunnel: Stunnel;
  let workerTls: Stunnel;
  let base: AppConfig;
  let profileFile: string;

  /** The app config as a deployment would get it: only standard variables, no code-level overrides of the connection. */
  const configFrom = (env: NodeJS.ProcessEnv): AppConfig => ({ ...base, temporal: loadConfig(env).temporal });

  beforeAll(async () => {
    base = testConfig();
    const devPort = Number(base.temporal.address.split(':').pop());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-tls-'));
    certs = makeCerts(dir);
    recorder = await startHeaderRecorder(devPort);
    stunnel = await startStunnel(dir, certs, recorder.port);
    workerTls = await startAlpnTlsProxy(certs, devPort);
    profileFile = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      profileFile,
      `[profile.tls]\naddress = "127.0.0.1:${stunnel.port}"\nnamespace = "${base.temporal.namespace}"\napi_key = "profile-key"\n` +
        `[profile.tls.tls]\nserver_ca_cert_path = "${certs.ca}"\nserver_name = "localhost"\n`,
    );
  });
  afterAll(async () => {
    await stunnel?.stop();
    await workerTls?.stop();
    await recorder?.stop();
  });

  it('runs a workflow: worker, client and CLI over TLS, the API key sent as the authorization header', async () => {
    installQuietRuntime();
    await ensureWorkflowBundle();
    const workerConfig = configFrom({ TEMPORAL_ADDRESS: `127.0.0.1:${workerTls.port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    // No connection passed in: createWorkers connects through the loader, as the worker processes do.
    const { workers, connection } = await createWorkers({ roles: ['cpu', 'gpu'], config: workerConfig, activities: createActivities(depsFor(base)) });
    const runs = workers.map((w: Worker) => w.run());
    const clientConfig = configFrom({
      TEMPORAL_ADDRESS: `127.0.0.1:${stunnel.port}`,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TEMPORAL_API_KEY: 'env-key',
    });
    const client = await PipelineClient.connect(clientConfig);
    try {
      const handle = await client.start('power', { requestId: `tls-${base.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params: { numBoostRound: 5 } } });
      const result = await handle.result();
      expect(result.pipeline).toBe('power');
      const sent = recorder.requests.filter((h) => h[':path'] === '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution');
      expect(sent.map((h) => h.authorization)).toEqual(['Bearer env-key']);

      // The CLI with nothing but a TOML profile (the temporal CLI's file format and variables).
      const before = recorder.requests.length;
      const status = await cli(base, ['status', handle.workflowId, '--json'], { TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'tls' });
      expect([status.code, status.stderr]).toEqual([0, '']);
      expect(JSON.parse(status.stdout)).toMatchObject({ workflowId: handle.workflowId, status: 'COMPLETED' });
      const fromCli = recorder.requests.slice(before);
      expect(fromCli.length).toBeGreaterThan(0);
      expect(new Set(fromCli.map((h) => h.authorization))).toEqual(new Set(['Bearer profile-key']));
    } finally {
      await client.close();
      workers.forEach((w) => w.shutdown());
      await Promise.allSettled(runs);
      await connection.close();
    }
  });

  it('refuses a server whose certificate the configured CA did not sign, and says why', async () => {
    const wrong = { TEMPORAL_ADDRESS: `127.0.0.1:${stunnel.port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.wrongCa, TEMPORAL_TLS_SERVER_NAME: 'localhost' };
    const r = await cli(base, ['list'], wrong);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot connect to Temporal at 127.0.0.1:${stunnel.port}`);
    expect(r.stderr).toContain('TLS is on: check that the server certificate is signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH');

    installQuietRuntime();
    const workerConfig = configFrom({ ...wrong, TEMPORAL_ADDRESS: `127.0.0.1:${workerTls.port}` });
    await expect(createWorkers({ roles: ['gpu'], config: workerConfig, activities: createActivities(depsFor(base)) })).rejects.toThrow(/InvalidCertificate\(UnknownIssuer\)/);
  });
});
