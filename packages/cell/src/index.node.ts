// The Node entry (the `node` export condition): everything the browser entry has, plus what needs
// a file system.
export * from './index.js';
export { pretrainedDir } from './pretrained-dir.js';
