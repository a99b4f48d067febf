import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCifar10 } from '../../src/data/cifar';
import { loadMnist } from '../../src/data/idx';
import { writeSyntheticCifar10, writeSyntheticMnist } from '../../src/data/synthetic/vision';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** File name → sha256, so comparisons stay fast (jest's deep equality on big buffers is slow). */
const filesOf = (d: string) =>
  Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(path.join(d, f))).digest('hex')]));

describe('synthetic MNIST', () => {
  it('writes the four standard files, readable by loadMnist, with every class present', async () => {
    await writeSyntheticMnist(dir, { train: 100, test: 20, seed: 1, gzip: true });
    expect(readdirSync(dir).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    const train = await loadMnist(dir, 'train');
    expect([train.count, train.rows, train.cols]).toEqual([100, 28, 28]);
    expect(new Set(train.labels).size).toBe(10);
    expect((await loadMnist(dir, 't10k')).count).toBe(20);
  });

  it('is byte-identical for a seed, different for another, and the test set ignores the train size', async () => {
    const a = path.join(dir, 'a'), b = path.join(dir, 'b'), c = path.join(dir, 'c'), d = path.join(dir, 'd');
    await writeSyntheticMnist(a, { train: 20, test: 10, seed: 5 });
    await writeSyntheticMnist(b, { train: 20, test: 10, seed: 5 });
    await writeSyntheticMnist(c, { train: 20, test: 10, seed: 6 });
    await writeSyntheticMnist(d, { train: 25, test: 10, seed: 5 });
    expect(filesOf(b)).toEqual(filesOf(a));
    expect(filesOf(c)['train-images-idx3-ubyte']).not.toEqual(filesOf(a)['train-images-idx3-ubyte']);
    expect(filesOf(d)['t10k-images-idx3-ubyte']).toEqual(filesOf(a)['t10k-images-idx3-ubyte']);
  });
});

describe('synthetic CIFAR-10', () => {
  it('writes batches and a test batch, deterministic for a seed', async () => {
    const a = path.join(dir, 'a'), b = path.join(dir, 'b');
    await writeSyntheticCifar10(a, { perBatch: 30, batches: 2, test: 10, seed: 3 });
    await writeSyntheticCifar10(b, { perBatch: 30, batches: 2, test: 10, seed: 3 });
    expect(readdirSync(a).sort()).toEqual(['data_batch_1.bin', 'data_batch_2.bin', 'test_batch.bin']);
    expect(filesOf(b)).toEqual(filesOf(a));
    const train = await loadCifar10(a, 'train');
    expect(train.count).toBe(60);
    expect(new Set(train.labels).size).toBe(10);
    expect((await loadCifar10(a, 'test')).count).toBe(10);
  });
});
