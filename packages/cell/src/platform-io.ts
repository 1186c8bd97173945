/**
 * What loading and saving need from the platform. `#platform-io` resolves to the Node version
 * (files) under the `node` export condition and to the browser version (fetch) everywhere else,
 * so browser bundles of @lopt/cell never see a Node built-in.
 */
export interface PlatformIo {
  /** The URL of a location given as a string: a directory path in Node, a URL (relative to the page) in browsers. */
  toUrl(location: string): URL;
  /** How error messages name `url`: a file path for file: URLs in Node, the URL otherwise. */
  describe(url: URL): string;
  /** The bytes at `url`, or undefined when nothing is there (no such file; HTTP 404). Throws IO_ERROR otherwise. */
  read(url: URL): Promise<Uint8Array | undefined>;
  /**
   * The SHA-256 of `data` as 64 lowercase hex digits, or undefined where the platform cannot
   * compute it (a browser page served over plain http: has no WebCrypto); loading then skips the check.
   */
  sha256(data: Uint8Array): Promise<string | undefined>;
  /**
   * Writes an optimizer into directory `dir`: the weight file `weights.name` (named after its
   * content), then `optimizer.json`, whose rename commits the save; then removes weight files no
   * longer named (see optimizer-dir.node.ts). Browsers have no directories: there it throws
   * UNSUPPORTED, naming an IOHandler.
   */
  writeOptimizerDirectory(dir: string, weights: { readonly name: string; readonly data: Uint8Array }, json: string): Promise<void>;
}
