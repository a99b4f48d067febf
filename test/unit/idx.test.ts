import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/data/errors';
import { loadMnist, readIdx, writeIdx } from '../../src/data/idx';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'idx-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Raw IDX bytes with arbitrary (possibly invalid) header fields. */
function idxBytes(type: number, dims: number[], data: number[], magic: [number, number] = [0, 0]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length + data.length);
  b[0] = magic[0];
  b[1] = magic[1];
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  Buffer.from(data).copy(b, 4 + 4 * dims.length);
  return b;
}

async function expectDataError(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  for (const part of parts) expect((err as Error).message).toContain(part);
}

describe('IDX', () => {
  it('round-trips raw and gzipped files exactly', async () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
    for (const gzip of [false, true]) {
      const file = path.join(dir, gzip ? 'a.gz' : 'a');
      await writeIdx(file, [2, 3, 4], data, { gzip });
      const back = await readIdx(file);
      expect(back.dims).toEqual([2, 3, 4]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('writes the documented header bytes', async () => {
    const file = path.join(dir, 'h');
    await writeIdx(file, [3], Uint8Array.from([7, 8, 9]));
    const bytes = await readIdx(file);
    expect(bytes).toEqual({ dims: [3], data: Uint8Array.from([7, 8, 9]) });
  });

  it('rejects a bad magic, type and dimension count naming file and offset', async () => {
    const cases: [Buffer, string, string][] = [
      [idxBytes(8, [1], [0], [1, 0]), 'offset 0', 'magic'],
      [idxBytes(8, [1], [0], [0, 3]), 'offset 1', 'magic'],
      [idxBytes(0x09, [1], [0]), 'offset 2', '0x09'],
      [idxBytes(8, [1, 1, 1, 1, 1], [0]), 'offset 3', 'dimension count 5'],
      [idxBytes(8, [], []), 'offset 3', 'dimension count 0'],
    ];
    for (const [bytes, where, what] of cases) {
      const file = path.join(dir, 'bad-magic.idx');
      writeFileSync(file, bytes);
      await expectDataError(readIdx(file), 'bad-magic.idx', where, what);
    }
  });

  it('reports truncated data at the offset where it ended, also inside gzip', async () => {
    const file = path.join(dir, 'short.idx');
    writeFileSync(file, idxBytes(8, [2, 2], [1, 2, 3])); // header 12 bytes + 3 of 4 data bytes
    await expectDataError(readIdx(file), 'short.idx', 'offset 15', 'need 4 bytes');
    const gz = path.join(dir, 'short.idx.gz');
    writeFileSync(gz, gzipSync(idxBytes(8, [2, 2], [1, 2, 3])));
    await expectDataError(readIdx(gz), 'short.idx.gz', 'offset 15 (decompressed)');
    const header = path.join(dir, 'header.idx');
    writeFileSync(header, idxBytes(8, [2, 2], []).subarray(0, 9));
    await expectDataError(readIdx(header), 'header.idx', 'offset 9', 'header ended early');
  });

  it('rejects trailing bytes and corrupt gzip', async () => {
    const file = path.join(dir, 'long.idx');
    writeFileSync(file, idxBytes(8, [2], [1, 2, 3]));
    await expectDataError(readIdx(file), 'long.idx', 'offset 10', '1 trailing bytes');
    const gz = path.join(dir, 'junk.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]));
    await expectDataError(readIdx(gz), 'junk.gz', 'corrupt gzip');
  });

  it('refuses to write data that does not match the dims', async () => {
    await expectDataError(writeIdx(path.join(dir, 'w'), [2, 2], new Uint8Array(3)), 'need 4');
  });
});

describe('loadMnist', () => {
  async function writeSplit(split: string, count: number, labels: number[], opts: { gzip?: boolean; imageDims?: number[] } = {}) {
    const suffix = opts.gzip ? '.gz' : '';
    const dims = opts.imageDims ?? [count, 2, 3];
    await writeIdx(path.join(dir, `${split}-images-idx3-ubyte${suffix}`), dims, new Uint8Array(dims.reduce((a, b) => a * b, 1)).fill(5), opts);
    await writeIdx(path.join(dir, `${split}-labels-idx1-ubyte${suffix}`), [labels.length], Uint8Array.from(labels), opts);
  }

  it('loads raw or gzipped standard files', async () => {
    await writeSplit('train', 3, [0, 9, 4]);
    await writeSplit('t10k', 2, [1, 2], { gzip: true });
    const train = await loadMnist(dir, 'train');
    expect({ ...train, images: train.images.length }).toEqual({
      images: 18,
      labels: Uint8Array.from([0, 9, 4]),
      count: 3,
      rows: 2,
      cols: 3,
      imagesFile: path.join(dir, 'train-images-idx3-ubyte'),
      labelsFile: path.join(dir, 'train-labels-idx1-ubyte'),
    });
    const test = await loadMnist(dir, 't10k');
    expect(test.count).toBe(2);
    expect(Array.from(test.labels)).toEqual([1, 2]);
  });

  it('names the file and byte offset of an out-of-range label', async () => {
    await writeSplit('train', 4, [1, 2, 3, 12]);
    await expectDataError(loadMnist(dir, 'train'), 'train-labels-idx1-ubyte', 'offset 11', 'label 12');
  });

  it('rejects wrong image dims, count mismatch and missing files', async () => {
    await writeSplit('train', 2, [1, 2], { imageDims: [2, 6] });
    await expectDataError(loadMnist(dir, 'train'), 'train-images-idx3-ubyte', 'must be 3-dim');
    await writeSplit('t10k', 2, [1, 2, 3]);
    await expectDataError(loadMnist(dir, 't10k'), 't10k-labels-idx1-ubyte', '3 labels for 2 images');
    rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    await expectDataError(loadMnist(dir, 't10k'), 'missing t10k-labels-idx1-ubyte');
  });
});
