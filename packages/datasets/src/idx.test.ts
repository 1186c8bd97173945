import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { expectLoptError } from '@lopt/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

import { idxBytes } from './idx-bytes.fixture.js';
import { parseIdx } from './idx.js';
import { readIdx } from './read-idx.js';

const dir = mkdtempSync(join(tmpdir(), 'lopt-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}


describe('readIdx', () => {
  it('reads a uint8 3-D file in row-major order', () => {
    const body = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const idx = readIdx(write('u8.idx', idxBytes(0x08, [2, 3, 4], body)));
    expect(idx.type).toBe('uint8');
    expect(idx.dims).toEqual([2, 3, 4]);
    expect(idx.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(idx.data)).toEqual(Array.from(body));
  });

  it('decodes big-endian int32 and float32 elements', () => {
    const ints = new Uint8Array(8);
    new DataView(ints.buffer).setInt32(0, -5, false);
    new DataView(ints.buffer).setInt32(4, 70000, false);
    expect(Array.from(parseIdx(idxBytes(0x0c, [2], ints), 'ints').data)).toEqual([-5, 70000]);
    const floats = new Uint8Array(4);
    new DataView(floats.buffer).setFloat32(0, 1.5, false);
    const f = parseIdx(idxBytes(0x0d, [1, 1], floats), 'floats');
    expect(f.type).toBe('float32');
    expect(Array.from(f.data)).toEqual([1.5]);
  });

  it('reads gzipped files', () => {
    const body = Uint8Array.from([1, 2, 3]);
    const idx = readIdx(write('g.idx.gz', gzipSync(idxBytes(0x08, [3], body))));
    expect(Array.from(idx.data)).toEqual([1, 2, 3]);
  });

  it('names the file and the problem for a bad magic number', () => {
    const path = write('magic.idx', Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]));
    expectLoptError(() => readIdx(path), 'DATA_CORRUPT', path, /magic number 0x01020801/);
  });

  it('rejects an unknown element type and a zero-dimensional header', () => {
    expectLoptError(() => parseIdx(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]), 'x'), 'DATA_CORRUPT', /element type 0x07/);
    expectLoptError(() => parseIdx(Uint8Array.from([0, 0, 0x08, 0]), 'x'), 'DATA_CORRUPT', /0 dimensions/);
  });

  it('reports truncation in the header and in the data, and trailing bytes', () => {
    const path = write('short.idx', idxBytes(0x08, [10, 28, 28], new Uint8Array(100)));
    expectLoptError(() => readIdx(path), 'DATA_CORRUPT', path, /truncated/, /7856 bytes/, /\[10, 28, 28\]/);
    expectLoptError(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'h'), 'DATA_CORRUPT', /inside the header/);
    expectLoptError(() => parseIdx(Uint8Array.from([0, 0]), 'tiny'), 'DATA_CORRUPT', /too short/);
    expectLoptError(() => parseIdx(idxBytes(0x08, [2], new Uint8Array(5)), 'long'), 'DATA_CORRUPT', /3 unexpected bytes/);
  });

  it('throws DATA_NOT_FOUND naming a missing file', () => {
    const path = join(dir, 'nope-idx3-ubyte');
    expectLoptError(() => readIdx(path), 'DATA_NOT_FOUND', path);
  });

  it('reports a broken gzip stream as corrupt', () => {
    const path = write('bad.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    expectLoptError(() => readIdx(path), 'DATA_CORRUPT', path, /gzipped/);
  });
});
