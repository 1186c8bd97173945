import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

/**
 * Runs `forward` as one node on tfjs's gradient tape with several outputs and a hand-written
 * gradient.
 *
 * Why not `tf.customGrad`: it allows a single output, so a cell step (update + new state) would have
 * to return one concatenated tensor and split it again. On wasm every `tf.slice`/`tf.split` copies
 * the *whole* input per piece (the kernel reads it back with `readSync`), which measured ~3 ms per
 * piece for [80, 15910] and dominated the step. `customGrad` is itself a thin wrapper over the
 * engine's `runKernelFunc`, which already supports several outputs; this calls it the same way.
 * tfjs is pinned to one exact version in the workspace catalog, and the cell tests exercise this
 * path on every backend, so a change in that internal would fail loudly.
 *
 * - `forward(save)` computes the outputs; it runs inside a tidy with the tape paused (as a kernel).
 *   Call `save(tensors)` for what the gradient needs: tfjs keeps (clones of) them only while a
 *   tape is recording and disposes them after the backward pass.
 * - `backward(dys, saved)` returns one gradient per input, in order. `dys` has one entry per output;
 *   tfjs passes zeros for outputs that did not reach the differentiated value.
 */
export function runMultiOutputOp(
  inputs: readonly tf.Tensor[],
  forward: (save: (tensors: tf.Tensor[]) => void) => tf.Tensor[],
  backward: (dys: readonly tf.Tensor[], saved: readonly tf.Tensor[]) => tf.Tensor[],
): tf.Tensor[] {
  const engine = tf.engine() as unknown as { runKernelFunc?: (params: unknown) => tf.Tensor | tf.Tensor[] };
  if (typeof engine.runKernelFunc !== 'function') {
    throw new LoptError('UNSUPPORTED', 'This TensorFlow.js build has no engine.runKernelFunc, which the cell step needs.', {
      hint: 'Use @tensorflow/tfjs-core 4.22.0, the version lopt is tested with.',
    });
  }
  const inputMap: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    inputMap[i] = t;
  });
  let outputCount = 0;
  const out = engine.runKernelFunc({
    inputs: inputMap,
    forwardFunc: (_backend: unknown, save: (tensors: tf.Tensor[]) => void) => {
      const outs = forward(save);
      outputCount = outs.length;
      return outs;
    },
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      if (dys.length !== outputCount) throw new Error(`runMultiOutputOp: got ${dys.length} dys for ${outputCount} outputs`);
      // Our own tidy frees the backward's intermediates now rather than at the end of the whole
      // backward pass (tfjs only tidies around the full pass), which keeps the wasm heap small.
      const grads = tf.tidy(() => backward(dys, saved));
      if (grads.length !== inputs.length) throw new Error(`runMultiOutputOp: ${grads.length} gradients for ${inputs.length} inputs`);
      const gradMap: Record<string, () => tf.Tensor> = {};
      grads.forEach((g, i) => {
        gradMap[i] = () => g;
      });
      return gradMap;
    },
  });
  return Array.isArray(out) ? out : [out];
}
