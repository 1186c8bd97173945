import { describe, expect, it } from 'vitest';

import { LoptError, isLoptError } from './errors.js';

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
