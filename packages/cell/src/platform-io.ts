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
   * Writes `files` (name → bytes, in order) into directory `dir`, each atomically (temporary name,
   * then rename). Browsers have no directories: there it throws UNSUPPORTED, naming an IOHandler.
   */
  writeDirectory(dir: string, files: ReadonlyArray<readonly [string, string | Uint8Array]>): Promise<void>;
}
