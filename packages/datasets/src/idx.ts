import { LoptError } from '@lopt/core';


/** The element types the IDX format defines, by their type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A decoded IDX file: its dimensions and its elements in row-major order. */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

export const IDX_HINT = 'IDX files are the MNIST format (yann.lecun.com/exdb/mnist); re-install or re-extract the file.';

/**
 * Decodes an IDX buffer (magic `00 00 <type> <ndims>`, then `ndims` big-endian uint32 sizes, then
 * the elements, big-endian). `name` (usually the path) appears in every error. Throws
 * DATA_CORRUPT when the magic number, the dimensions or the length are wrong, including trailing
 * bytes after the last element.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const corrupt = (what: string): LoptError => new LoptError('DATA_CORRUPT', `${name}: ${what}.`, { hint: IDX_HINT });
  if (bytes.length < 4) throw corrupt(`file has ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw corrupt(`bad magic number 0x${hex(bytes, 0, 4)} (an IDX file starts with two zero bytes)`);
  }
  const spec = TYPES[bytes[2]!];
  if (spec === undefined) throw corrupt(`unknown IDX element type 0x${hex(bytes, 2, 3)}`);
  const ndims = bytes[3]!;
  if (ndims === 0) throw corrupt('IDX header declares 0 dimensions');
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw corrupt(`file ends inside the header (${bytes.length} of ${header} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count * spec.bytes;
  if (bytes.length < expected) {
    throw corrupt(`truncated: dimensions [${dims.join(', ')}] need ${expected} bytes, the file has ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw corrupt(`${bytes.length - expected} unexpected bytes after the data (dimensions [${dims.join(', ')}])`);
  }
  return { type: spec.type, dims, data: decode(view, header, count, spec.type) };
}

function decode(view: DataView, offset: number, count: number, type: IdxType): IdxArray['data'] {
  const start = view.byteOffset + offset;
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(start, start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(start, start + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  return Array.from(bytes.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join('');
}
