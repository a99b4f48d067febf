/**
 * Prepare for the image pipelines: read MNIST IDX / CIFAR-10 binary files (or generate a synthetic set in
 * the same formats), scale pixels 0–255 → 0–1, lay images out NHWC, and split a seeded validation set.
 */
import { DOWNLOAD_CACHE_DIR, rawDir } from '../../data/layout';
import { loadMnist } from '../../data/idx';
import { loadCifar10, cifarBatchFileNames, CIFAR_CHANNELS, CIFAR_SIDE } from '../../data/cifar';
import { writeSyntheticCifar10, writeSyntheticMnist } from '../../data/synthetic/vision';
import { DataError } from '../../data/errors';
import { DataRoot } from '../../data/paths';
import { checkMnistShapes, imageArrays } from '../../data/images';
import { paramsOf, type DataSource, type PreparedData, type StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { sourceDir, syntheticSet, syntheticSetOnce } from './raw-files';
import { ensureDataset, MNIST_MANIFEST, CIFAR10_MANIFEST } from '../../data/download';
import { log } from '@temporalio/activity';

export const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const SYNTHETIC_SIZES = { tiny: { train: 1200, test: 300 }, small: { train: 6000, test: 1000 } };

interface RawDir {
  dir: string;
  dataset: string;
}

/** Where the raw files are: a folder under the data root, or a synthetic set generated there once. */
async function rawDirOf(
  root: DataRoot,
  pipeline: 'mnist' | 'cifar10',
  source: DataSource = { kind: 'files' },
): Promise<RawDir> {
  if (source.kind === 'files') {
    const dir = await root.resolve(sourceDir(source, rawDir(pipeline)));
    // What is already there is checked first (a FIFO or a link out of the root fails here, not in the download).
    await root.existingFiles(dir, pipeline === 'mnist' ? MNIST_FILES.flatMap((f) => [f, `${f}.gz`]) : [...cifarBatchFileNames('train'), ...cifarBatchFileNames('test')]);
    if (pipeline === 'cifar10' && (await hasCifarSplits(root, dir))) return { dir, dataset: pipeline };
    // Missing files are fetched from the public mirrors (MD5-checked, cached under the data root); offline and
    // uncached, this fails saying which files to put where. Both folders are created through the boundary.
    await ensureDataset(pipeline === 'mnist' ? MNIST_MANIFEST : CIFAR10_MANIFEST, await root.mkdir(dir), {
      cacheDir: await root.mkdir(DOWNLOAD_CACHE_DIR),
      log: (message) => log.info(message),
    });
    return { dir, dataset: pipeline };
  }
  const set = syntheticSet(pipeline, source);
  const { train, test } = SYNTHETIC_SIZES[set.size];
  const dir = await syntheticSetOnce(root, set.name, async (tmp) => {
    if (pipeline === 'mnist') await writeSyntheticMnist(tmp, { train, test, seed: set.seed });
    else await writeSyntheticCifar10(tmp, { perBatch: Math.ceil(train / 2), batches: 2, test, seed: set.seed });
  });
  return { dir, dataset: set.name };
}

/** A CIFAR folder with at least one train batch and the test batch is usable as it is (subsets are fine). */
async function hasCifarSplits(root: DataRoot, dir: string): Promise<boolean> {
  const train = await root.existingFiles(dir, cifarBatchFileNames('train'));
  const test = await root.existingFiles(dir, cifarBatchFileNames('test'));
  return train.length > 0 && test.length > 0;
}

function missingFilesError(pipeline: string, dir: string, expected: string[]): DataError {
  return new DataError(
    `no ${pipeline} files found; put ${expected.join(', ')} (optionally .gz) there, or start the workflow with source {kind: 'synthetic'}`,
    dir,
  );
}

export function visionPrepareActivities(deps: ActivityDeps) {
  return {
    async prepareMnist(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const raw = await rawDirOf(root, 'mnist', req.input.source);
      const files = await root.existingFiles(raw.dir, MNIST_FILES.flatMap((f) => [f, `${f}.gz`]));
      if (files.length < MNIST_FILES.length) throw missingFilesError('MNIST', raw.dir, MNIST_FILES);
      const { validationFraction, seed } = paramsOf(req, 'mnist');
      return preparedOnce(root, deps, req, {
        dataset: raw.dataset,
        rawFiles: files,
        settings: { validationFraction, seed, layout: 'nhwc-28x28x1' },
        build: async () => {
          const train = await loadMnist(raw.dir, 'train', root.read);
          const test = await loadMnist(raw.dir, 't10k', root.read);
          checkMnistShapes(train, test);
          const arrays = imageArrays(train, test, { side: train.rows, channels: 1, chw: false }, validationFraction, seed);
          return { arrays, info: { classes: 10 } };
        },
      });
    },

    async prepareCifar10(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const raw = await rawDirOf(root, 'cifar10', req.input.source);
      const trainFiles = await root.existingFiles(raw.dir, cifarBatchFileNames('train'));
      const testFiles = await root.existingFiles(raw.dir, cifarBatchFileNames('test'));
      if (trainFiles.length === 0 || testFiles.length === 0) {
        throw missingFilesError('CIFAR-10', raw.dir, [...cifarBatchFileNames('train'), ...cifarBatchFileNames('test')]);
      }
      const { validationFraction, seed } = paramsOf(req, 'cifar10');
      return preparedOnce(root, deps, req, {
        dataset: raw.dataset,
        rawFiles: [...trainFiles, ...testFiles],
        settings: { validationFraction, seed, layout: 'nhwc-32x32x3' },
        build: async () => {
          const train = await loadCifar10(raw.dir, 'train', root.read);
          const test = await loadCifar10(raw.dir, 'test', root.read);
          const arrays = imageArrays(train, test, { side: CIFAR_SIDE, channels: CIFAR_CHANNELS, chw: true }, validationFraction, seed);
          return { arrays, info: { classes: 10 } };
        },
      });
    },
  };
}
