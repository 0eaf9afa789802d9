import { ErrorCode, statusOf } from './catalog';

/**
 * Last line of defence: `detail` and `field` may quote what a client sent (a member name, a path
 * id), and both reach problem bodies; neither may grow with the input.
 */
export const MAX_DETAIL_CHARS = 1024;
export const MAX_FIELD_CHARS = 320;

function bounded(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * The one error type of the domain. `detail` is a sentence for a person; `field` names the
 * offending JSON pointer or parameter when there is one. Never put account data or key material
 * in either: errors end up in logs and problem+json bodies.
 */
export class Art50Error extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly field?: string;
  readonly extra?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    opts: { field?: string; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(bounded(detail, MAX_DETAIL_CHARS), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'Art50Error';
    this.code = code;
    this.detail = bounded(detail, MAX_DETAIL_CHARS);
    if (opts.field !== undefined) this.field = bounded(opts.field, MAX_FIELD_CHARS);
    if (opts.extra !== undefined) this.extra = opts.extra;
  }

  get status(): number {
    return statusOf(this.code);
  }
}

export function isArt50Error(e: unknown): e is Art50Error {
  return e instanceof Art50Error;
}

/** Runs `fn` and turns anything it throws that is not already ours into `code`. */
export function guard<T>(code: ErrorCode, detail: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Art50Error) throw e;
    throw new Art50Error(code, detail, { cause: e });
  }
}
