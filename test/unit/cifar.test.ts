import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR_IMAGE_BYTES, CIFAR_RECORD_BYTES, loadCifar10, readCifarBatch, writeCifarBatch } from '../../src/data/cifar';
import { DataError } from '../../src/data/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cifar-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const images = (count: number, salt: number) => Uint8Array.from({ length: count * CIFAR_IMAGE_BYTES }, (_, i) => (i * 31 + salt) % 256);

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(DataError);
  return e as Error;
}

describe('CIFAR-10 batches', () => {
  it('round-trips images and labels exactly in record layout', async () => {
    const file = path.join(dir, 'data_batch_1.bin');
    const img = images(3, 1);
    await writeCifarBatch(file, img, Uint8Array.from([3, 0, 9]));
    const back = await readCifarBatch(file);
    expect(back.count).toBe(3);
    expect(Array.from(back.labels)).toEqual([3, 0, 9]);
    expect(Buffer.from(back.images).equals(Buffer.from(img))).toBe(true);
  });

  it('names the offset of a truncated record and of a bad label', async () => {
    const file = path.join(dir, 'cut.bin');
    writeFileSync(file, Buffer.alloc(2 * CIFAR_RECORD_BYTES + 100));
    const e = await errorOf(readCifarBatch(file));
    expect(e.message).toContain('cut.bin');
    expect(e.message).toContain('offset 6146');
    expect(e.message).toContain('truncated record 2');

    const bad = Buffer.alloc(2 * CIFAR_RECORD_BYTES);
    bad[CIFAR_RECORD_BYTES] = 10;
    const badFile = path.join(dir, 'label.bin');
    writeFileSync(badFile, bad);
    const e2 = await errorOf(readCifarBatch(badFile));
    expect(e2.message).toContain('label.bin offset 3073');
    expect(e2.message).toContain('label 10');
  });

  it('loads existing train batches in order and the test batch', async () => {
    await writeCifarBatch(path.join(dir, 'data_batch_3.bin'), images(1, 3), Uint8Array.from([3]));
    await writeCifarBatch(path.join(dir, 'data_batch_1.bin'), images(2, 1), Uint8Array.from([1, 1]));
    const train = await loadCifar10(dir, 'train');
    expect(train.count).toBe(3);
    expect(Array.from(train.labels)).toEqual([1, 1, 3]);
    expect(train.images[2 * CIFAR_IMAGE_BYTES]).toBe(images(1, 3)[0]);

    const e = await errorOf(loadCifar10(dir, 'test'));
    expect(e.message).toContain('test_batch.bin');
    await writeCifarBatch(path.join(dir, 'test_batch.bin'), images(1, 0), Uint8Array.from([7]));
    expect(Array.from((await loadCifar10(dir, 'test')).labels)).toEqual([7]);
  });

  it('refuses to write mismatched images and labels', async () => {
    await errorOf(writeCifarBatch(path.join(dir, 'x.bin'), new Uint8Array(10), Uint8Array.from([1])));
  });
});
