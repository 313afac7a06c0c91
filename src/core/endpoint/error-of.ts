// How the endpoint client reads a failure: the openai client's error types, our own errors wrapped as causes,
// and a server's status and reason become one EndpointError whose message names the server (its text made
// safe: secrets redacted, terminal escapes stripped) and says what to do.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { contextOverflow } from './context-overflow';
import { EndpointError, EndpointTooLongError } from './errors';

/** How messages name the server, and how its own text is made safe to show. */
export interface ServerNames {
  /** "model @ URL", redacted. */
  name: string;
  /** The URL as shown, redacted. */
  display: string;
  model: string;
  safe: (text: string) => string;
}

/** Every failure as an EndpointError whose message names the server and, when it said one, its reason. */
export function endpointErrorOf(err: unknown, server: ServerNames): EndpointError {
  const ours = ownError(err);
  if (ours) return ours;
  const { safe } = server;
  if (err instanceof APIConnectionTimeoutError)
    return new EndpointError('TIMEOUT', `${server.name}: the connection timed out`);
  if (err instanceof APIUserAbortError) return new EndpointError('TIMEOUT', `${server.name}: the request was cut off`);
  if (err instanceof APIConnectionError)
    return new EndpointError(
      'UNREACHABLE',
      `cannot reach ${server.display}: ${safe(connectionReason(err))}; is the server running?`,
    );
  if (err instanceof APIError && err.status !== undefined) {
    const status = err.status;
    const said = safe(serverSaid(err));
    const at = `${server.name} answered ${status}${said ? `: ${said}` : ''}`;
    let e: EndpointError;
    if (status === 429) e = new EndpointError('RATE_LIMITED', at, status);
    else if (status >= 500 || status === 408 || status === 409) e = new EndpointError('SERVER', at, status);
    else if (status === 401 || status === 403)
      e = new EndpointError('AUTH', `${at}; check the key in the variable named by --api-key-env`, status);
    else if (status === 404)
      e = new EndpointError(
        'NOT_FOUND',
        `${at}; check that the URL is the API root (it usually ends in /v1) and that the server serves the ` +
          `model '${server.model}'`,
        status,
      );
    else {
      // A prompt too long for the served context is that passage's, not the run's (core/endpoint/context-overflow).
      const over = contextOverflow(err.error, said);
      e = over
        ? new EndpointTooLongError(over.tokens, over.contextSize, at, status)
        : new EndpointError('BAD_REQUEST', at, status);
    }
    (e as RetryHint).retryAfterMs = retryAfterMs(err.headers);
    return e;
  }
  if (err instanceof APIError) {
    // An error event inside a stream has no status.
    return new EndpointError('SERVER', `${server.name} reported an error mid-answer: ${safe(serverSaid(err))}`);
  }
  if (err instanceof Error && err.name === 'AbortError')
    return new EndpointError('TIMEOUT', `${server.name}: the request was cut off`);
  if (err instanceof SyntaxError)
    return new EndpointError(
      'NOT_OPENAI',
      `${server.name} sent an answer that is not valid JSON (${safe(err.message)})`,
    );
  const message = err instanceof Error ? err.message : String(err);
  return new EndpointError('UNREACHABLE', `${server.name}: ${safe(message)}`);
}

export interface RetryHint {
  retryAfterMs?: number;
}

/** Our own error (the idle timeout, a cap, a cut body), also when the client wrapped it as a cause. */
function ownError(err: unknown): EndpointError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof EndpointError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The server's own reason, without the status the client puts in front. */
function serverSaid(err: APIError): string {
  const inner = (err.error as { message?: unknown } | undefined)?.message;
  const text = typeof inner === 'string' ? inner : err.message.replace(/^\d{3}\s+/, '');
  return text === 'status code (no body)' ? '' : text.slice(0, 500);
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in milliseconds. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function connectionReason(err: APIConnectionError): string {
  let cause: unknown = err.cause;
  let innermost = '';
  for (let depth = 0; depth < 4 && cause; depth++) {
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string' && message && message !== 'fetch failed') innermost = message;
    const code = (cause as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was dropped';
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  // fetch refuses some ports itself ("bad port") without a code.
  return innermost || 'connection failed';
}
