/** What `useBackend` and the adapters report after selecting a backend. */
export interface BackendInfo {
  /** tfjs's name for the active backend: 'wasm', 'tensorflow' (tfjs-node) or 'cpu'. */
  readonly name: string;
  /** Whether the wasm backend runs its SIMD build (false for other backends). */
  readonly simd: boolean;
  /** Threads the backend computes on (the wasm backend is single-threaded in Node); 0 = managed by the backend's own thread pool. */
  readonly threads: number;
  /** Version of @tensorflow/tfjs-core in use. */
  readonly tfjsVersion: string;
}

/** The backends lopt can select. */
export type BackendName = 'wasm' | 'node' | 'cpu';
