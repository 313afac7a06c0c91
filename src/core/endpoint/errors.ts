// The failures of an OpenAI-compatible endpoint, each with a stable code and a message a writer can act on.
import { CptError, type TooLong } from '../errors';

export type EndpointErrorCode =
  /** Nothing answers at the address (connection refused, unknown host, reset). */
  | 'UNREACHABLE'
  /** No complete answer within the per-request timeout. */
  | 'TIMEOUT'
  /** The answer is not an OpenAI-compatible chat completion (an HTML page, plain text, no `choices`). */
  | 'NOT_OPENAI'
  /** A completion with no choices, or a choice with no text. */
  | 'EMPTY_RESPONSE'
  /** 401 or 403: the key is missing, wrong or not allowed. */
  | 'AUTH'
  /** 404: a wrong base URL or a model the server does not serve. */
  | 'NOT_FOUND'
  /** 429 after every retry. */
  | 'RATE_LIMITED'
  /** 5xx (or 408/409) after every retry. */
  | 'SERVER'
  /** Any other 4xx: the server rejected the request; its message says why. */
  | 'BAD_REQUEST'
  /** --api-key-env names a variable that is not set. */
  | 'MISSING_KEY'
  /** A bad base URL or model name, caught before any request. */
  | 'CONFIG'
  /** An answer past the response cap (the rest is discarded). */
  | 'TOO_LARGE'
  /** A stream that ended without the server saying the answer was finished. */
  | 'INCOMPLETE'
  /**
   * The server refused a prompt too long for its context and said by how much (EndpointTooLongError): the
   * caller's over-long rule applies (skip that passage), not a stop.
   */
  | 'TOO_LONG';

export class EndpointError extends CptError<EndpointErrorCode> {
  constructor(
    code: EndpointErrorCode,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(code, message);
    this.name = 'EndpointError';
  }
}

/**
 * A prompt the server refused as longer than its context, with the numbers it gave, so `tooLongOf` reads it
 * as it reads the local engine's refusal.
 */
export class EndpointTooLongError extends EndpointError implements TooLong {
  constructor(
    readonly tokens: number,
    readonly contextSize: number,
    message: string,
    status?: number,
  ) {
    super('TOO_LONG', message, status);
  }
}

/** The EndpointError code of `err`, by shape (a second copy of core throws its own class). */
export function endpointErrorCode(err: unknown): EndpointErrorCode | undefined {
  if (!(err instanceof Error) || err.name !== 'EndpointError') return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? (code as EndpointErrorCode) : undefined;
}
