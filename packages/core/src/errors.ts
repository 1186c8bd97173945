/**
 * Every failure that lopt can explain carries a stable `code` and a `hint` that names the fix.
 * The CLI's single error handler prints `message` and `hint` and exits non-zero; anything that is
 * not a LoptError is a bug and keeps its stack trace.
 */
export type LoptErrorCode =
  | 'BACKEND_NOT_INSTALLED'
  | 'BACKEND_NATIVE_MISSING'
  | 'BACKEND_INIT_FAILED'
  | 'UNKNOWN_BACKEND'
  | 'GRADIENTS_NOT_REGISTERED'
  | 'INVALID_ARGUMENT'
  | 'NON_FINITE'
  | 'SHAPE_MISMATCH'
  | 'CHECKPOINT_NOT_FOUND'
  | 'CHECKPOINT_CORRUPT'
  | 'CHECKPOINT_VERSION'
  | 'DATA_NOT_FOUND'
  | 'DATA_CORRUPT'
  | 'TASK_INVALID'
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_FAMILY'
  | 'UNSUPPORTED'
  | 'IO_ERROR'
  | 'RUN_LOCKED'
  | 'WORKER_FAILED';

export interface LoptErrorOptions {
  /** One sentence that tells the user how to fix the problem. */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class LoptError extends Error {
  override readonly name = 'LoptError';
  readonly code: LoptErrorCode;
  readonly hint: string | undefined;

  constructor(code: LoptErrorCode, message: string, options: LoptErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  /** Message and hint as one paragraph, for people. */
  format(): string {
    return this.hint === undefined ? this.message : `${this.message}\n${this.hint}`;
  }
}

/** Narrowing helper that also works across duplicated module instances (checks the shape). */
export function isLoptError(error: unknown, code?: LoptErrorCode): error is LoptError {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { name?: unknown; code?: unknown };
  if (e.name !== 'LoptError' || typeof e.code !== 'string') return false;
  return code === undefined || e.code === code;
}
