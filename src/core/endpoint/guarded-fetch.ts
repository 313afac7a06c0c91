// The limits a server cannot talk its way past, enforced while the bytes arrive (not after a body was read
// whole): silence longer than the timeout fails the request, an answer body past its byte cap is cut off, and
// an error body is read up to ERROR_BODY_BYTES and the rest discarded. Each failure is an EndpointError that
// names the server (by its redacted URL), thrown from the fetch or from the body stream the client reads.
import { EndpointError } from './errors';

/** Most bytes of an error body read for its message; the rest is discarded unread. */
export const ERROR_BODY_BYTES = 64 * 1024;
/** Default cap on the text of one completion: 1 MiB of characters. */
export const DEFAULT_MAX_RESPONSE_CHARS = 1024 * 1024;

export interface GuardOptions {
  /** How the server is named in messages (already redacted). */
  server: string;
  /** Most milliseconds without a byte from the server (before the headers and between chunks). */
  idleMs: number;
  /** The completion text cap; the body cap derives from it (JSON escapes, SSE framing). */
  maxResponseChars: number;
}

/** Bytes a body may take for `chars` characters of text: a JSON answer, or an SSE stream of small deltas. */
export function bodyByteCap(contentType: string | null, chars: number): number {
  const sse = /text\/event-stream/i.test(contentType ?? '');
  // A JSON string escapes a character in at most 6 bytes; an SSE delta wraps a few characters in ~200 bytes.
  return sse ? chars * 64 + 1024 * 1024 : chars * 6 + 64 * 1024;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** `fetch` with the idle timeout and the body caps of `options`. */
export function guardedFetch(fetchImpl: typeof fetch, options: GuardOptions): typeof fetch {
  return async (input, init) => {
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let silent: EndpointError | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        silent = new EndpointError('TIMEOUT', `${options.server} sent nothing for ${seconds(options.idleMs)}`);
        idle.abort(silent);
      }, options.idleMs);
    };
    const signal = init?.signal ? AbortSignal.any([init.signal, idle.signal]) : idle.signal;
    arm();
    let response: Response;
    try {
      response = await fetchImpl(input, { ...init, signal });
    } catch (err) {
      clearTimeout(timer);
      throw silent ?? err;
    }
    if (!response.body) {
      clearTimeout(timer);
      return response;
    }
    const limit = response.ok ? bodyByteCap(response.headers.get('content-type'), options.maxResponseChars) : Infinity;
    const reader = response.body.getReader();
    let received = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        arm();
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          clearTimeout(timer);
          // A cut connection: the client must not take what came so far for a finished answer.
          controller.error(
            silent ?? new EndpointError('UNREACHABLE', `${options.server} cut the connection mid-answer`),
          );
          void err;
          return;
        }
        if (chunk.done) {
          clearTimeout(timer);
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > limit) {
          clearTimeout(timer);
          void reader.cancel().catch(() => undefined);
          controller.error(
            new EndpointError(
              'TOO_LARGE',
              `${options.server} sent more than ${(limit / 1024 / 1024).toFixed(1)} MiB for one answer; ` +
                'the rest was discarded',
            ),
          );
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason).catch(() => undefined);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The first `max` bytes of a body as text (the rest is cancelled unread), '' when it cannot be read. */
export async function readCapped(response: Response, max = ERROR_BODY_BYTES): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still says what it said so far.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}
