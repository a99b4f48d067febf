/**
 * Run as its own process (`node build/src/models/device-probe.js`) by `durable-ml gpu-check`: loads the best tfjs
 * backend with TensorFlow's logging at INFO, runs one op so TensorFlow creates its devices, and prints the loaded
 * backend as one JSON line. The devices TensorFlow created (or why CUDA was not usable) appear only in TensorFlow's
 * own log on stderr, which the parent reads: tfjs-node has no call that lists them.
 */
import { loadTfBackend } from './backend';

async function main(): Promise<void> {
  // TensorFlow's own variable (not ours, so not in src/config): its device lines are what the parent reads.
  process.env.TF_CPP_MIN_LOG_LEVEL = '0';
  const loaded = await loadTfBackend();
  const { tf } = loaded;
  const product = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).sum().dataSync()[0]);
  const { tf: _tf, ...rest } = loaded;
  console.log(JSON.stringify({ ...rest, checkProduct: product }));
}

main().catch((err: Error) => {
  console.log(JSON.stringify({ error: err.message }));
  process.exitCode = 1;
});
