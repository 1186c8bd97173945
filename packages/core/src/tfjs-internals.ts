import * as tf from '@tensorflow/tfjs-core';

import { LoptError } from './errors.js';

/*
 * Every part of TensorFlow.js's non-public engine that lopt uses, in one place, so that a tfjs
 * upgrade breaks here (and in assertTfjsInternals, called when a backend starts) rather than in
 * several packages at once. lopt pins tfjs-core to one exact version (TFJS_CORE_VERSION).
 */

/** The tfjs-core version lopt is built and tested with (the workspace catalog pins it). */
export const TFJS_CORE_VERSION = '4.22.0';

/** A node of tfjs's gradient tape, as much of it as lopt touches. */
export interface TapeNode {
  readonly outputs: tf.Tensor[];
  saved?: tf.Tensor[];
}

/** What `runKernelFunc` takes: a forward with several outputs and a hand-written gradient. */
export interface KernelFuncParams {
  inputs: Record<string, tf.Tensor>;
  forwardFunc: (backend: unknown, save: (tensors: tf.Tensor[]) => void) => tf.Tensor[];
  backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  runKernelFunc(params: KernelFuncParams): tf.Tensor | tf.Tensor[];
  runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor | tf.Tensor[];
  isTapeOn(): boolean;
  registeredVariables: Record<string, tf.Variable>;
  state: { activeTape?: TapeNode[] | null };
}

function engineInternals(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

function mismatch(what: string, found: string): LoptError {
  return new LoptError(
    'UNSUPPORTED',
    `lopt needs @tensorflow/tfjs-core ${TFJS_CORE_VERSION}, found ${found}: ${what}.`,
    { hint: `Install @tensorflow/tfjs-core@${TFJS_CORE_VERSION} (and the same version of every @tensorflow/* package), the version lopt is built and tested with.` },
  );
}

/**
 * Checks that `engine` (default: tfjs's own) has every internal lopt relies on, with the expected
 * shape, and that they behave as lopt expects: a multi-output `runKernelFunc` recorded on the tape
 * as one node with the outputs and an empty `saved` list. Throws LoptError 'UNSUPPORTED' naming
 * the tfjs-core version lopt needs and the one found. `useBackend` of @lopt/backends calls it.
 */
export function assertTfjsInternals(engine: unknown = tf.engine(), version: string = tf.version_core): void {
  const e = engine as Partial<EngineInternals> | null;
  if (e === null || typeof e !== 'object') throw mismatch('tf.engine() is not an object', version);
  for (const method of ['runKernelFunc', 'runKernel', 'isTapeOn'] as const) {
    if (typeof e[method] !== 'function') throw mismatch(`its engine has no ${method}()`, version);
  }
  if (e.registeredVariables === null || typeof e.registeredVariables !== 'object') throw mismatch('its engine has no registeredVariables map', version);
  if (e.state === null || typeof e.state !== 'object') throw mismatch('its engine has no state', version);
  const full = e as EngineInternals;
  const x = tf.scalar(2);
  try {
    let node: TapeNode | undefined;
    let taping: boolean | undefined;
    tf.grad((input: tf.Tensor) => {
      const out = full.runKernelFunc({
        inputs: { 0: input },
        forwardFunc: () => [tf.mul(input, 3), tf.mul(input, 4)],
        backwardsFunc: (dy) => ({ 0: () => (Array.isArray(dy) ? dy[0]! : dy) }),
      });
      taping = full.isTapeOn();
      const tape = full.state.activeTape;
      node = Array.isArray(tape) ? tape[tape.length - 1] : undefined;
      const outputs = Array.isArray(out) ? out : [out];
      if (outputs.length !== 2 || node === undefined || node.outputs?.[0] !== outputs[0] || !Array.isArray(node.saved) || node.saved.length !== 0) {
        node = undefined;
      }
      return outputs[0]!;
    })(x).dispose();
    if (taping !== true) throw mismatch('isTapeOn() is false inside tf.grad', version);
    if (node === undefined) throw mismatch('a runKernelFunc with two outputs is not the last node of state.activeTape with an empty saved list', version);
  } finally {
    x.dispose();
  }
}

/** tfjs's engine `runKernelFunc`: one tape node with several outputs and a hand-written gradient. */
export function runKernelFunc(params: KernelFuncParams): tf.Tensor | tf.Tensor[] {
  return engineInternals().runKernelFunc(params);
}

/** Runs kernel `name` of the active backend (how lopt dispatches its own kernels). */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object = {}): tf.Tensor | tf.Tensor[] {
  return engineInternals().runKernel(name, inputs, attrs as tf.NamedAttrMap);
}

/** Whether a gradient tape is recording now. */
export function isTapeOn(): boolean {
  return engineInternals().isTapeOn();
}

/** The newest node of the gradient tape being recorded, if any. */
export function lastTapeNode(): TapeNode | undefined {
  const tape = engineInternals().state.activeTape;
  return Array.isArray(tape) ? tape[tape.length - 1] : undefined;
}

/** The registered tf.Variable of that name, if any. */
export function registeredVariable(name: string): tf.Variable | undefined {
  return engineInternals().registeredVariables[name];
}

/**
 * Marks the cpu backend's first-use notice (advice to install tfjs-node, printed on its first
 * write) as shown. A no-op for other backends, or if the field is gone.
 */
export function muteCpuBackendNotice(backend: unknown = tf.backend()): void {
  const cpu = backend as { firstUse?: unknown } | null;
  if (cpu !== null && typeof cpu === 'object' && cpu.firstUse === true) cpu.firstUse = false;
}
