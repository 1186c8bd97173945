import { OPTIMIZER_JSON_FILE, optimizerFromArtifacts } from '@lopt/cell';
import type { LearnedOptimizerSpec, OptimizerJson } from '@lopt/cell';
import { LoptError } from '@lopt/core';

/**
 * A learned optimizer from the files of an `optimizer/` directory written by `lopt train`
 * (optimizer.json and the weight file its manifest names), validated by @lopt/cell.
 */
export async function optimizerFromFiles(files: readonly File[]): Promise<LearnedOptimizerSpec> {
  const jsonFile = files.find((f) => f.name === OPTIMIZER_JSON_FILE) ?? files.find((f) => f.name.endsWith('.json'));
  if (jsonFile === undefined) {
    throw new LoptError('CHECKPOINT_NOT_FOUND', 'No optimizer.json among the chosen files.', {
      hint: 'Choose both files of the optimizer/ directory: optimizer.json and its weights-….bin (weights.bin in older ones).',
    });
  }
  let json: OptimizerJson;
  try {
    json = JSON.parse(await jsonFile.text()) as OptimizerJson;
  } catch (error) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonFile.name}: not valid JSON (${(error as Error).message}).`, {
      hint: 'Choose the optimizer.json that lopt train wrote.',
    });
  }
  const named = json.weightsManifest?.[0]?.paths?.[0];
  const binFile = files.find((f) => f.name === named) ?? files.find((f) => f !== jsonFile && f.name.endsWith('.bin'));
  if (binFile === undefined) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonFile.name} names ${named ?? 'a weight file'}, which was not chosen.`, {
      hint: 'Choose optimizer.json and the .bin file it names together (hold Ctrl or Shift in the file picker).',
    });
  }
  return optimizerFromArtifacts({ json, weightData: await binFile.arrayBuffer() }, { json: jsonFile.name, weights: binFile.name });
}
