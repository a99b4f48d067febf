/**
 * Where the public raw datasets come from, and the checksums that prove a copy is the real one.
 * `ensureDataset` (download.ts) reads these; a test pins the names and MD5s so a typo is caught.
 */

export interface ManifestFile {
  /** File name in the cache (and, without an archive, in the target folder). */
  name: string;
  md5: string;
  /** Mirrors, tried in order. */
  urls: string[];
  /** Bytes, when known: lets a stale cached copy be rejected without hashing it. */
  size?: number;
}

export interface DatasetManifest {
  name: string;
  files: ManifestFile[];
  /**
   * Set when `files` is one archive (.tar / .tar.gz) rather than the data itself: only the `extract`
   * members are kept, placed in the target folder with `stripPrefix` removed from their paths.
   */
  archive?: { extract: string[]; stripPrefix?: string };
}

// The original yann.lecun.com host refuses downloads; these are the mirrors torchvision uses.
const MNIST_MIRRORS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'];

const mnistFile = (name: string, md5: string) => ({ name, md5, urls: MNIST_MIRRORS.map((m) => m + name) });

/** Kept gzipped: the IDX reader gunzips on the fly. */
export const MNIST_MANIFEST: DatasetManifest = {
  name: 'mnist',
  files: [
    mnistFile('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
    mnistFile('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
    mnistFile('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
    mnistFile('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'),
  ],
};

const CIFAR_DIR = 'cifar-10-batches-bin/';

export const CIFAR10_MANIFEST: DatasetManifest = {
  name: 'cifar10',
  files: [
    {
      name: 'cifar-10-binary.tar.gz',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
      size: 170_052_171,
    },
  ],
  archive: {
    extract: [1, 2, 3, 4, 5].map((i) => `${CIFAR_DIR}data_batch_${i}.bin`).concat(`${CIFAR_DIR}test_batch.bin`, `${CIFAR_DIR}batches.meta.txt`),
    stripPrefix: CIFAR_DIR,
  },
};
