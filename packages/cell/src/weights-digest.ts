import { LoptError } from '@lopt/core';
import { io } from '#platform-io';

/** The name saveOptimizer gives a weight file: after its content, so a new save never overwrites the weights an older optimizer.json names. */
export function weightsFileName(sha256: string): string {
  return `weights-${sha256.slice(0, 16)}.bin`;
}

/**
 * Throws CHECKPOINT_CORRUPT unless `data` (the weight files, concatenated in manifest order) has
 * the SHA-256 `recorded` in optimizer.json. Nothing is checked when the file records none
 * (written before lopt recorded it) or the platform has no SHA-256 (see PlatformIo.sha256).
 */
export async function checkWeightsDigest(recorded: unknown, data: Uint8Array, files: { json: string; weights: string }): Promise<void> {
  if (typeof recorded !== 'string') return;
  const actual = await io.sha256(data);
  if (actual === undefined || actual === recorded) return;
  throw new LoptError(
    'CHECKPOINT_CORRUPT',
    `${files.weights}: its SHA-256 is ${actual.slice(0, 16)}…, but ${files.json} records ${recorded.slice(0, 16)}… (weightsSha256): the weights were changed or damaged after they were saved, or belong to another save.`,
    { hint: 'Restore optimizer.json and its weight file together, from one save (a backup), or re-train (lopt train writes both).' },
  );
}
