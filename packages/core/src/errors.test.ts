import { describe, expect, it } from 'vitest';

import { LoptError, isLoptError } from './errors.js';
import { missingKernelError } from './missing-kernel-error.js';

describe('LoptError', () => {
  it('carries a code and a hint, and formats both', () => {
    const e = new LoptError('DATA_NOT_FOUND', 'No file at x.', { hint: 'Pass --data.' });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('DATA_NOT_FOUND');
    expect(e.format()).toBe('No file at x.\nPass --data.');
    expect(isLoptError(e)).toBe(true);
    expect(isLoptError(e, 'DATA_NOT_FOUND')).toBe(true);
    expect(isLoptError(e, 'IO_ERROR')).toBe(false);
    expect(isLoptError(new Error('x'))).toBe(false);
    expect(isLoptError(null)).toBe(false);
  });
});

describe('missingKernelError', () => {
  it("turns tfjs's missing-kernel error into a LoptError that names the fix", () => {
    const tfjs = new Error("Kernel 'Einsum' not registered for backend 'wasm'");
    const error = missingKernelError(tfjs);
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toContain('no Einsum kernel');
    expect(error?.hint).toMatch(/--backend cpu/);
    expect(error?.cause).toBe(tfjs);
    expect(missingKernelError(new Error('something else'))).toBeUndefined();
  });
});
