/** Dev mode: the CPU and GPU workers in one process, for a laptop or this repository's main job. */
import { main } from './run';

main(['cpu', 'gpu']);
