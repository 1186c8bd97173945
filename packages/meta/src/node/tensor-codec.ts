import { createHash } from 'node:crypto';

import * as tf from '@tensorflow/tfjs-core';

/** Tensors as JSON: tfjs's weight encoding (specs + little-endian bytes), bytes in base64. */
export interface EncodedTensors {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: string;
  /** SHA-256 (hex) of the bytes, checked when read (absent in checkpoints of format 2). */
  readonly sha256?: string;
}

export async function encodeTensors(tensors: tf.NamedTensorMap): Promise<EncodedTensors> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const bytes = Buffer.from(data);
  return { specs, data: bytes.toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Decodes {@link encodeTensors}' output. Caller owns the tensors. */
export function decodeTensors(encoded: EncodedTensors): tf.NamedTensorMap {
  const bytes = Buffer.from(encoded.data, 'base64');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.io.decodeWeights(buffer, encoded.specs);
}
