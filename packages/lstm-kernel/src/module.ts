import { LoptError } from '@lopt/core';

/** The raw exports of lstm-kernel.wasm (assembly/index.ts). Pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(size: number): number;
  free(ptr: number): void;
  forward(cell: number, stride: number, grad: number, update: number, sIn: number, sOut: number, acts: number, x0: number): void;
  backward(
    cell: number, stride: number, dUpd: number, dsIn: number, dsOut: number, sPrev: number, sCur: number, acts: number, x0: number, dW: number,
  ): void;
}

/** A region of the module's memory, freed once. */
export interface Region {
  readonly ptr: number;
  readonly bytes: number;
  readonly freed: boolean;
  free(): void;
}

/**
 * One instance of the kernel module and its memory. Views of the memory are made fresh for each
 * access: an allocation can grow the memory, which detaches every earlier view.
 */
export class KernelModule {
  readonly exports: KernelExports;

  constructor(instance: { readonly exports: unknown }) {
    this.exports = instance.exports as KernelExports;
  }

  /** `bytes` of fresh memory (contents undefined unless `zero`). */
  allocate(bytes: number, zero = false): Region {
    const ptr = this.exports.alloc(Math.max(16, bytes));
    if (ptr === 0) {
      throw new LoptError('UNSUPPORTED', `The LSTM kernel could not allocate ${bytes} bytes.`, {
        hint: 'Optimize fewer coordinates at once, or use the tfjs path (kernel: "tfjs").',
      });
    }
    if (zero) this.f32(ptr, bytes >> 2).fill(0);
    let freed = false;
    const free = this.exports.free;
    return {
      ptr,
      bytes,
      get freed() {
        return freed;
      },
      free() {
        if (freed) return;
        freed = true;
        free(ptr);
      },
    };
  }

  /** A Float32Array view of `length` floats at `ptr` (valid until the next allocation). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, length);
  }
}

/** The parts of the WebAssembly global this package uses (typed here: lib "dom" is not in use). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  instantiate(bytes: ArrayBuffer, imports: object): Promise<{ instance: { readonly exports: unknown } }>;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function kernelImports(): object {
  return {
    env: {
      abort: () => {
        throw new LoptError('UNSUPPORTED', 'The LSTM kernel aborted (out of memory?).', {
          hint: 'Optimize fewer coordinates at once, or use the tfjs path (kernel: "tfjs").',
        });
      },
    },
  };
}
