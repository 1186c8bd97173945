import type { KernelCellSpec, KernelWeights } from './spec.js';
import { inputCount } from './spec.js';

/*
 * The cell descriptor and packed weights the kernel reads (assembly/cell.ts holds the same offsets),
 * and where each weight's gradient sits in the f64 accumulator.
 */

export const DESCRIPTOR_BYTES = 384;

export interface CellLayout {
  readonly inputs: number;
  /**
   * Per layer: units, inputs, first state row, first activation row, first gradient index (the
   * kernel gradient as [u][j][gate], then the bias gradient as [u][gate]).
   */
  readonly layers: readonly { units: number; inputs: number; stateRow: number; actRow: number; gradIndex: number }[];
  /** Rows of a state block (LSTM rows, then the momentum means). */
  readonly stateRows: number;
  /** Rows of the LSTM part of a state block (h_0, c_0, h_1, …), which is also a state gradient block. */
  readonly lstmRows: number;
  readonly actRows: number;
  readonly outGradIndex: number;
  /** Number of f64 gradient accumulators. */
  readonly gradCount: number;
  /** Floats of packed weights after the descriptor. */
  readonly weightFloats: number;
}

export function cellLayout(spec: KernelCellSpec): CellLayout {
  const inputs = inputCount(spec);
  let fin = inputs;
  let row = 0;
  let act = 0;
  let grad = 0;
  let weightFloats = 0;
  const layers = spec.hiddenSizes.map((units, index) => {
    const k = fin + units;
    const l = { units, inputs: fin, stateRow: row, actRow: act, gradIndex: grad };
    row += 2 * units;
    act += 5 * units;
    grad += 4 * units * (k + 1);
    weightFloats += 4 * units * k + 4 * units + 4 * units * backwardRows(index, fin, units);
    fin = units;
    return l;
  });
  const lstmRows = row;
  const stateRows = lstmRows + (spec.momentum === undefined ? 0 : spec.momentum.length + 1);
  return { inputs, layers, stateRows, lstmRows, actRows: act, outGradIndex: grad, gradCount: grad + fin + 1, weightFloats: weightFloats + fin };
}

/** First input row whose gradient the kernel computes: layer 0's features get none (assembly/cell.ts firstInputRow). */
function firstBackwardRow(index: number, inputs: number): number {
  return index === 0 ? inputs : 0;
}

/** Input rows of layer `index`'s backward weights: from firstBackwardRow, rounded up to groups of four (assembly/cell.ts backwardWeights). */
function backwardRows(index: number, inputs: number, units: number): number {
  return Math.ceil((inputs + units - firstBackwardRow(index, inputs)) / 4) * 4;
}

/** Writes the descriptor and the packed weights at `base` (DESCRIPTOR_BYTES + 4·weightFloats bytes). */
export function writeCell(mem: ArrayBufferLike, base: number, spec: KernelCellSpec, layout: CellLayout, w: KernelWeights): void {
  const words = new Int32Array(mem, base, DESCRIPTOR_BYTES >> 2).fill(0);
  const floats = new Float32Array(mem, base, DESCRIPTOR_BYTES >> 2);
  const p = spec.logSignP ?? 1;
  words[0] = layout.layers.length;
  words[1] = layout.inputs;
  words[2] = spec.logSignP === null ? 0 : 1;
  words[3] = spec.momentum?.length ?? 0;
  floats[4] = p;
  floats[5] = spec.outputScale;
  floats[6] = spec.secondMoment ?? 0;
  floats[7] = 1 - (spec.secondMoment ?? 0);
  floats[8] = Math.exp(-p);
  floats[9] = Math.exp(p);
  floats[11] = w.outBias;
  spec.momentum?.forEach((b, k) => {
    floats[12 + k] = b;
    floats[16 + k] = 1 - b;
  });
  words[20] = layout.lstmRows;
  words[22] = layout.gradCount;
  words[23] = layout.outGradIndex;
  let at = base + DESCRIPTOR_BYTES;
  layout.layers.forEach((l, index) => {
    const h = l.units;
    const k = l.inputs + h;
    const kernel = w.kernels[index]!;
    const bias = w.biases[index]!;
    const j0 = firstBackwardRow(index, l.inputs);
    const bRows = backwardRows(index, l.inputs, h);
    const fw = new Float32Array(mem, at, 4 * h * k);
    const fb = new Float32Array(mem, at + 16 * h * k, 4 * h);
    // Zeroed: the rows that pad the last group of four must hold zero weights.
    const bw = new Float32Array(mem, at + 16 * h * k + 16 * h, 4 * h * bRows).fill(0);
    for (let gate = 0; gate < 4; gate++) {
      const scale = gate === 2 ? 2 : 1; // tanh(x) = 2σ(2x) − 1
      for (let u = 0; u < h; u++) {
        const row = (gate * h + u) * k;
        fb[u * 4 + gate] = bias[gate * h + u]! * scale;
        for (let j = 0; j < k; j++) {
          fw[(u * k + j) * 4 + gate] = kernel[row + j]! * scale;
          // [group][u·4 + gate][(j − j0) mod 4]
          const jb = j - j0;
          if (jb >= 0) bw[(((jb >> 2) * h + u) * 4 + gate) * 4 + (jb & 3)] = kernel[row + j]!;
        }
      }
    }
    const word = 32 + 8 * index;
    words[word] = h;
    words[word + 1] = l.inputs;
    words[word + 2] = at;
    words[word + 3] = at + 16 * h * k;
    words[word + 4] = at + 16 * h * k + 16 * h;
    words[word + 5] = l.stateRow;
    words[word + 6] = l.actRow;
    words[word + 7] = l.gradIndex;
    at += 4 * (4 * h * k + 4 * h + 4 * h * bRows);
  });
  words[10] = at;
  new Float32Array(mem, at, w.outKernel.length).set(w.outKernel);
}

/** The f64 gradient accumulator as @lopt/cell's weight layout (float32 arrays). */
export function unpackGradients(layout: CellLayout, dW: Float64Array): KernelWeights {
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (const l of layout.layers) {
    const h = l.units;
    const k = l.inputs + h;
    const dk = new Float32Array(4 * h * k);
    const db = new Float32Array(4 * h);
    for (let gate = 0; gate < 4; gate++) {
      for (let u = 0; u < h; u++) {
        const src = l.gradIndex + u * 4 * k + gate;
        const dst = (gate * h + u) * k;
        for (let j = 0; j < k; j++) dk[dst + j] = dW[src + 4 * j]!;
        db[gate * h + u] = dW[l.gradIndex + 4 * h * k + u * 4 + gate]!;
      }
    }
    kernels.push(dk);
    biases.push(db);
  }
  const top = layout.layers[layout.layers.length - 1]!.units;
  return {
    kernels,
    biases,
    outKernel: Float32Array.from(dW.subarray(layout.outGradIndex, layout.outGradIndex + top)),
    outBias: dW[layout.outGradIndex + top]!,
  };
}
