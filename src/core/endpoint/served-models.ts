// What an OpenAI-compatible server serves (GET {root}/models), with a short deadline: the editor asks it
// before the first rewrite (is the server up, is the key right, is the model served?) and to probe the
// well-known local servers, so a wrong address or key is told at once instead of after a long timeout.
import { redact } from './api-key';
import { parseEndpointUrl, redactSecrets } from './endpoint-url';
import { EndpointError } from './errors';

/** The most bytes of a /models answer read; a server's model list is a few kB. */
export const MODELS_LIST_BYTES = 1 << 20;

export interface ServedModelsOptions {
  apiKey?: string;
  /** The whole request, answer included (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The model ids the server at `baseURL` lists, in its order; an EndpointError naming the server (redacted). */
export async function listServedModels(baseURL: string, options: ServedModelsOptions = {}): Promise<string[]> {
  const url = parseEndpointUrl(baseURL);
  const server = url.display;
  const safe = (text: string) => redact(redactSecrets(text, url.secrets), options.apiKey);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeoutMs);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const signal = stop.signal;
  const target = new URL(`${url.root}/models`);
  for (const [k, v] of Object.entries(url.query)) target.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = options.apiKey ? `Bearer ${options.apiKey}` : url.authorization;
  if (authorization) headers.authorization = authorization;
  let text: string;
  let status: number;
  try {
    const res = await fetch(target, { headers, signal, redirect: 'error' });
    status = res.status;
    text = await boundedText(res, MODELS_LIST_BYTES);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    if (timedOut)
      throw new EndpointError('TIMEOUT', `${server} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    if (err instanceof EndpointError) throw err;
    throw new EndpointError('UNREACHABLE', `nothing answers at ${server}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (status === 401 || status === 403)
    throw new EndpointError('AUTH', `${server} refused the request (${status}): it needs a valid API key`, status);
  if (status === 404)
    throw new EndpointError(
      'NOT_OPENAI',
      `${server} has no /models list: it is not an OpenAI-compatible API root (they usually end in /v1)`,
      status,
    );
  if (status < 200 || status >= 300)
    throw new EndpointError('SERVER', `${server} answered ${status} to the model list request`, status);
  let ids: string[] | undefined;
  try {
    const body = JSON.parse(text) as { data?: unknown };
    if (Array.isArray(body.data))
      ids = body.data.flatMap((m) =>
        m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : [],
      );
  } catch {
    ids = undefined;
  }
  if (!ids)
    throw new EndpointError(
      'NOT_OPENAI',
      safe(`${server} answered, but not with an OpenAI-compatible model list: is it the server's API root?`),
    );
  // Names go into menus and messages: no control characters, bounded length.
  return ids.map((id) => id.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 200)).filter(Boolean);
}

async function boundedText(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new EndpointError('TOO_LARGE', `the model list is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface ServerPreset {
  name: string;
  url: string;
}

/** The local servers writers most often run, at their default addresses. */
export const SERVER_PRESETS: readonly ServerPreset[] = [
  { name: 'Ollama', url: 'http://localhost:11434/v1' },
  { name: 'LM Studio', url: 'http://localhost:1234/v1' },
  { name: 'llama-server', url: 'http://localhost:8080/v1' },
];

/** The presets that answer with a model list within `timeoutMs`, asked all at once, in the presets' order. */
export async function probeServers(
  presets: readonly ServerPreset[],
  timeoutMs = 1500,
): Promise<{ preset: ServerPreset; models: string[] }[]> {
  const answers = await Promise.all(
    presets.map((preset) =>
      listServedModels(preset.url, { timeoutMs }).then(
        (models) => ({ preset, models }),
        () => undefined,
      ),
    ),
  );
  return answers.filter((a): a is { preset: ServerPreset; models: string[] } => a !== undefined);
}
