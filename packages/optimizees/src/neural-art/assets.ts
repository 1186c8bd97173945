import { fileURLToPath } from 'node:url';

/**
 * The images shipped with @lopt/optimizees for the neural-art task (128×128 RGB PNG), drawn for
 * the repository by `scripts/make-art-images.mjs`. The directory is the same relative to
 * `src/neural-art/` and `dist/neural-art/`.
 */
const ASSET_DIR = fileURLToPath(new URL('../../assets/neural-art/', import.meta.url));

/** Content scenes: five to meta-train on, two held out for testing. */
export const NEURAL_ART_CONTENTS = {
  train: ['hills', 'city', 'lake', 'still-life', 'house'],
  test: ['beach', 'lighthouse'],
} as const;

/** Style textures: `brush` (short swirling brush strokes) to train on, `mosaic` (tiles) held out. */
export const NEURAL_ART_STYLES = { train: 'brush', test: 'mosaic' } as const;

export type NeuralArtStyleName = (typeof NEURAL_ART_STYLES)[keyof typeof NEURAL_ART_STYLES];

/** Absolute path of a shipped content image, by split and name. */
export function contentImagePath(split: 'train' | 'test', name: string): string {
  return `${ASSET_DIR}content/${split}/${name}.png`;
}

/** Absolute path of a shipped style image, by name. */
export function styleImagePath(name: NeuralArtStyleName): string {
  return `${ASSET_DIR}style/${name}.png`;
}
