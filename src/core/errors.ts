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

/** The numbers of a prompt that does not fit a context: its tokens, and the context's size in tokens. */
export interface TooLong {
  readonly tokens: number;
  readonly contextSize: number;
}

/**
 * A prompt too long for the context it must fit: the engine's refusal (carried across its IPC with the
 * numbers), or a caller's own rule (eval and the check also count the answer's token limit). Callers read
 * the numbers with `tooLongOf`, never from the message, so the wording can change freely.
 */
export class TooLongError extends CptError<'TOO_LONG'> implements TooLong {
  constructor(
    readonly tokens: number,
    readonly contextSize: number,
    message = `the prompt is ${tokens} tokens, too long for a ${contextSize}-token context`,
  ) {
    super('TOO_LONG', message);
    this.name = 'TooLongError';
  }
}

/**
 * The numbers of `err` when it says a prompt was too long, judged by shape (code TOO_LONG with whole-number
 * `tokens` and `contextSize`) like isCancelled, so a TooLongError from a second copy of core counts too.
 */
export function tooLongOf(err: unknown): TooLong | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { code?: unknown; tokens?: unknown; contextSize?: unknown };
  if (e.code !== 'TOO_LONG' || !Number.isInteger(e.tokens) || !Number.isInteger(e.contextSize)) return undefined;
  return { tokens: e.tokens as number, contextSize: e.contextSize as number };
}
