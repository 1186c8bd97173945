// The Node entry (the `node` export condition): the browser entry plus what needs a file system.
export * from './index.js';
export { makeDirectory } from './make-directory.js';
