import * as tf from '@tensorflow/tfjs-core';
import { isTapeOn, lastTapeNode, runKernelFunc } from '@lopt/core';

/**
 * Runs `forward` as one node on tfjs's gradient tape, with several outputs and a hand-written
 * gradient.
 *
 * Why not `tf.customGrad`:
 * - it allows one output, so a cell step (update + new state) would return one concatenated tensor
 *   to split again, and on wasm each `tf.slice` copies the *whole* input (its kernel reads it back
 *   with `readSync`): ~3 ms per piece of a [80, 15,910] tensor, more than a gate's matMul;
 * - its `save()` clones what it keeps, and on wasm a clone is a full copy (the Identity kernel);
 *   saving ~16 activations per step cost ~2 ms per step at n = 15,910.
 * `customGrad` is a thin wrapper over the engine's `runKernelFunc`, which supports several outputs;
 * this calls it the same way, and keeps the activations as zero-copy views (reshape shares the
 * data and counts a reference) attached to the tape node's `saved` list, which tfjs disposes after
 * the backward pass exactly as it does its own. tfjs is pinned to one exact version; the internals
 * used are in @lopt/core's tfjs-internals, checked when a backend starts (assertTfjsInternals), and
 * the cell tests run this path (values, gradients, leaks) on every backend.
 *
 * - `forward()` returns the outputs and the tensors the backward needs; it runs inside a tidy with
 *   the tape paused, like a kernel. The `saved` tensors are kept only while a tape is recording.
 * - `backward(dys, saved)` returns one gradient per input, in order. `dys` has one entry per output;
 *   tfjs passes zeros for outputs that did not reach the differentiated value.
 */
export function runMultiOutputOp(
  inputs: readonly tf.Tensor[],
  forward: () => { outputs: tf.Tensor[]; saved: tf.Tensor[] },
  backward: (dys: readonly tf.Tensor[], saved: readonly tf.Tensor[]) => tf.Tensor[],
): tf.Tensor[] {
  const taping = isTapeOn();
  const inputMap: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    inputMap[i] = t;
  });
  let outputCount = 0;
  let kept: tf.Tensor[] = [];
  const out = runKernelFunc({
    inputs: inputMap,
    forwardFunc: () => {
      const { outputs, saved } = forward();
      outputCount = outputs.length;
      if (taping) kept = saved.map((t) => tf.keep(tf.reshape(t, t.shape)));
      return outputs;
    },
    backwardsFunc: (dy, saved) => {
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
  const outputs = Array.isArray(out) ? out : [out];
  if (taping) {
    const node = lastTapeNode();
    if (node === undefined || node.outputs[0] !== outputs[0] || node.saved === undefined || node.saved.length !== 0) {
      tf.dispose(kept);
      throw new Error('runMultiOutputOp: the tape node was not where tfjs-core 4.22 puts it');
    }
    node.saved.push(...kept);
  }
  return outputs;
}
