// Exit codes of scripts/install-tfjs-node.mjs (documented in its --help and the README).
export const EXIT = {
  ok: 0,
  failed: 1, // anything unexpected
  usage: 2, // bad arguments, or a given file does not exist
  noLibrary: 3, // no TensorFlow C library: pip could not fetch the wheel, or it could not be repackaged
  noTools: 4, // a build tool is missing: python3, make, a C++ compiler, the Node headers, npm
  build: 5, // npm could not install tfjs-node, or node-gyp could not build its addon
  smoke: 6, // installed, but the smoke test on the 'tensorflow' backend failed
  platform: 7, // not linux x64 (the wheel's library is built for it)
  workspace: 8, // run outside a lopt checkout, or before `pnpm install`
  absent: 9, // --check: tfjs-node is not installed in this checkout
};

/** A failure with its exit code and the fix to print. */
export class InstallError extends Error {
  constructor(exitCode, message, hint) {
    super(message);
    this.exitCode = exitCode;
    this.hint = hint;
  }
}
