/** GPU worker: CNN/LSTM training on the `gpu` queue, DML_GPU_TRAINING_CONCURRENCY at a time (default 1). */
import { main } from './run';

main(['gpu']);
