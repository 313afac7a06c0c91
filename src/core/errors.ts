// The one base of the product's failures: each carries a stable `code` that callers branch on (exit codes,
// notifications, retries) instead of matching messages, and `isCancelled` recognises every way a job can
// end early, so no caller needs to know which layer noticed the cancellation.

/** The code every cancellation carries, whichever layer noticed it. */
export const CANCELLED = 'CANCELLED';

/** A failure with a stable code. Subclasses narrow `C` to their own codes and set `name` (bundling renames classes). */
export class CptError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CptError';
  }
}

/**
 * Whether `err` says the job was stopped on purpose rather than failed: a CptError (or a look-alike from a second
 * copy of core, judged by shape) with code CANCELLED, or the AbortError a fired AbortSignal raises (DOM or Node).
 */
export function isCancelled(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError') return true;
  const code = (err as { code?: unknown }).code;
  return code === CANCELLED || code === 'ABORT_ERR';
}

/** The message of anything thrown, for logs, notifications and CLI errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
