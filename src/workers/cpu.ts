/** CPU worker: workflows plus data prep, LightGBM, evaluation and registration activities on the `cpu` queue. */
import { main } from './run';

main(['cpu']);
