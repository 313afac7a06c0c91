// The endpoint flags every command that talks to a server takes (`judge`, `eval`, `generate`): one parser,
// one help text and the same defaults, so a server that accepts a request and never answers is given up on
// in the same time whichever command sent it.
import {
  DEFAULT_MAX_RESPONSE_CHARS,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type EndpointOptions,
} from '../core/endpoint';
import { decimal, wholeNumber } from './args';

/** parseArgs option specs. */
export const ENDPOINT_FLAGS = {
  timeout: { type: 'string' },
  retries: { type: 'string' },
  'max-response-chars': { type: 'string' },
} as const;

export const ENDPOINT_USAGE = `  --timeout S            seconds an endpoint may stay silent (before its answer starts or
                         between two of its chunks) before the request fails
                         (default ${DEFAULT_TIMEOUT_MS / 1000}); a timed-out request is retried once
  --retries N            retries after a 429, 5xx, timeout or dropped connection (default ${DEFAULT_RETRIES}),
                         waiting 1, 2, 4 ... s or the server's Retry-After, at most 60 s
  --max-response-chars N most characters of one endpoint answer (default ${DEFAULT_MAX_RESPONSE_CHARS}); a longer
                         answer is an error, not a stored output`;

export interface EndpointFlagValues {
  timeout?: string;
  retries?: string;
  'max-response-chars'?: string;
}

export type EndpointFlagOptions = Pick<EndpointOptions, 'timeoutMs' | 'maxRetries' | 'maxResponseChars'>;

/** The endpoint options from the flags (UsageError on a bad value); only the flags given are set. */
export function endpointOptionsFrom(values: EndpointFlagValues): EndpointFlagOptions {
  const timeoutS = decimal('timeout', values.timeout, 0.1, 86_400);
  const retries = wholeNumber('retries', values.retries, 0, 20);
  const maxChars = wholeNumber('max-response-chars', values['max-response-chars'], 1, 256 * 1024 * 1024);
  return {
    ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}),
    ...(retries !== undefined ? { maxRetries: retries } : {}),
    ...(maxChars !== undefined ? { maxResponseChars: maxChars } : {}),
  };
}
