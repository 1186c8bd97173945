/**
 * Where the wasm binaries are and how many threads the backend gets. `#wasm-platform` resolves
 * to the Node version under the `node` export condition and to the browser version elsewhere.
 */
export interface WasmPlatform {
  /** What to pass to setWasmPaths by default: a directory prefix ending in '/' or one URL per binary. */
  defaultWasmPaths(): string | Readonly<Record<string, string>>;
  /** Threads the backend computes on, given whether tfjs runs the multithreaded build. */
  threads(multithreaded: boolean): number;
}
