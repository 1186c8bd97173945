// The installer's check, run in a fresh process: tfjs-node loads from where @lopt/backend-node
// resolves it, shares lopt's copy of tfjs-core, and computes a matMul and a gradient on the
// 'tensorflow' backend. Prints one JSON line; exits non-zero with the reason on failure.
// Usage: node smoke.mjs <directory of @lopt/backend-node>
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const from = createRequire(join(process.argv[2], 'package.json'));
const load = (name) => import(pathToFileURL(from.resolve(name)).href);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

try {
  const nodeMain = realpathSync(from.resolve('@tensorflow/tfjs-node'));
  const core = realpathSync(from.resolve('@tensorflow/tfjs-core'));
  const coreOfNode = realpathSync(createRequire(nodeMain).resolve('@tensorflow/tfjs-core'));
  check(core === coreOfNode, `tfjs-node resolves a second copy of tfjs-core (${coreOfNode}, lopt's is ${core})`);

  await load('@tensorflow/tfjs-layers'); // registers the gradients, as lopt's backends do
  const tf = await load('@tensorflow/tfjs-core');
  await load('@tensorflow/tfjs-node');
  check(await tf.setBackend('tensorflow'), "the 'tensorflow' backend did not initialize");
  const before = tf.memory().numTensors;

  // A 33×17 by 17×9 matMul against plain JavaScript.
  const [m, k, n] = [33, 17, 9];
  const a = Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
  const b = Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let l = 0; l < k; l++) sum += a[i * k + l] * b[l * n + j];
      worst = Math.max(worst, Math.abs(sum - product[i * n + j]));
    }
  }
  check(worst < 1e-4, `matMul differs from JavaScript by ${worst}`);

  // d/dx Σ sigmoid(x)·x = σ(x) + x σ(x)(1 − σ(x)).
  const xs = [-2, -0.5, 0, 1.5];
  const grad = tf.tidy(() => tf.grad((x) => tf.sum(tf.mul(tf.sigmoid(x), x)))(tf.tensor1d(xs)).dataSync());
  xs.forEach((x, i) => {
    const s = 1 / (1 + Math.exp(-x));
    check(Math.abs(grad[i] - (s + x * s * (1 - s))) < 1e-5, `gradient at ${x} is ${grad[i]}`);
  });
  check(tf.memory().numTensors === before, 'tensors leaked');

  const binding = tf.backend().binding;
  console.log(JSON.stringify({ ok: true, backend: tf.getBackend(), tensorflow: binding?.TF_Version ?? 'unknown', tfjs: tf.version_core, matMulError: worst }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) }));
  process.exitCode = 1;
}
