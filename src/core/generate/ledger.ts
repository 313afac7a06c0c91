// What a generate run keeps about its failures: each one named and logged, and when the run must stop — a
// failure every later request would repeat (server down, bad key, crashed engine), or MAX_FAILURES_IN_A_ROW
// teacher failures in a row. The directives phase and the outputs phase share one ledger.
import { endpointErrorCode } from '../endpoint/errors';
import { engineErrorCode } from '../engine/types';
import { CptError, errorMessage, tooLongOf } from '../errors';
import type { Logger } from '../log';
import type { GenerateFailure } from './types';

/** This many per-output failures in a row (empty answers) mean the teacher is not working: stop. */
const MAX_FAILURES_IN_A_ROW = 5;

/** The teacher answered, but nothing was left after clean-up. */
export class EmptyOutputError extends CptError<'EMPTY_OUTPUT'> {
  constructor(message: string) {
    super('EMPTY_OUTPUT', message);
    this.name = 'EmptyOutputError';
  }
}

/**
 * Failures every later request would repeat (server down, bad key, crashed engine) stop the run; an empty answer does
 * not.
 */
export function stopsTheRun(err: unknown, role: 'teacher' | 'judge'): boolean {
  // A prompt too long for the context is this task's own: the other tasks may fit.
  if (err instanceof EmptyOutputError || tooLongOf(err)) return false;
  const endpoint = endpointErrorCode(err);
  if (endpoint) return endpoint !== 'EMPTY_RESPONSE';
  if (engineErrorCode(err)) return true;
  // The judge's own failures (an answer it could not read) belong to that one output.
  return role === 'teacher';
}

export class RunLedger {
  readonly failures: GenerateFailure[] = [];
  /** Why the run stopped early, once it must. */
  stopReason: string | undefined;
  /** Requests sent to the teacher. */
  requests = 0;
  private failuresInARow = 0;

  constructor(
    private readonly logger: Logger,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** No new request is started: the run must stop, or the signal fired. */
  stopped(): boolean {
    return this.stopReason !== undefined || !!this.signal?.aborted;
  }

  /** The teacher wrote something usable: the count of failures in a row starts again. */
  succeeded(): void {
    this.failuresInARow = 0;
  }

  fail(what: string, err: unknown, role: 'teacher' | 'judge'): void {
    // After Ctrl+C the requests in flight end in errors (a terminal's SIGINT also stops the engine
    // process); they are cancelled work, not failures.
    if (this.signal?.aborted) return;
    const message = errorMessage(err);
    this.failures.push({ what, message });
    this.logger.warn(`${what}: ${message}`);
    if (stopsTheRun(err, role)) this.stopReason ??= message;
    else if (role === 'teacher' && ++this.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
      this.stopReason ??= `${MAX_FAILURES_IN_A_ROW} outputs in a row failed; the last: ${message}`;
    }
  }
}
