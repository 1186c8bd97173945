import * as tf from '@tensorflow/tfjs-core';

/** Tensors as JSON: tfjs's weight encoding (specs + little-endian bytes), bytes in base64. */
export interface EncodedTensors {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: string;
}

export async function encodeTensors(tensors: tf.NamedTensorMap): Promise<EncodedTensors> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { specs, data: Buffer.from(data).toString('base64') };
}

/** Decodes {@link encodeTensors}' output. Caller owns the tensors. */
export function decodeTensors(encoded: EncodedTensors): tf.NamedTensorMap {
  const bytes = Buffer.from(encoded.data, 'base64');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.io.decodeWeights(buffer, encoded.specs);
}
