import type { ImageSet, MnistImages } from '@lopt/datasets';

/** Reads the MNIST subset the build wrote (see scripts/mnist-asset.mjs) into ImageSets. */
export async function loadMnistSubset(url: string): Promise<MnistImages> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`Cannot load ${url}: HTTP ${response.status}`);
  const raw = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const view = new DataView(raw.buffer);
  if (String.fromCharCode(...raw.subarray(0, 4)) !== 'LMN1') throw new Error(`${url} is not an MNIST subset (bad magic)`);
  const trainCount = view.getUint32(4, true);
  const testCount = view.getUint32(8, true);
  let offset = 12;
  const take = (count: number): ImageSet => {
    const pixels = raw.subarray(offset, offset + count * 784);
    const labels = raw.slice(offset + count * 784, offset + count * 785);
    offset += count * 785;
    const images = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) images[i] = pixels[i]! / 255;
    return { images, labels, count, height: 28, width: 28, channels: 1, numClasses: 10 };
  };
  const train = take(trainCount);
  const test = take(testCount);
  return { train, test };
}
