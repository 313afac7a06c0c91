// Servers report errors in many shapes: OpenAI's {"error":{"message"}}, vLLM's {"message"}, FastAPI's
// {"detail"}, a plain-text line, or a proxy's HTML page. The `openai` client reads only the first, so a
// fetch wrapper rewrites every error body into that shape before the client sees it.

import { readCapped } from './guarded-fetch';

const MAX_MESSAGE = 300;

function squash(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

function fromJson(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.error === 'object' && o.error !== null) {
    const inner = (o.error as Record<string, unknown>).message;
    if (typeof inner === 'string') return inner;
  }
  if (typeof o.error === 'string') return o.error;
  if (typeof o.message === 'string') return o.message;
  if (typeof o.detail === 'string') return o.detail;
  if (Array.isArray(o.detail)) {
    const msgs = o.detail
      .map((d) => (typeof d === 'object' && d !== null ? (d as Record<string, unknown>).msg : d))
      .filter((m) => typeof m === 'string');
    if (msgs.length) return msgs.join('; ');
  }
  return undefined;
}

/** The reason in an error body, in one short line. */
export function serverMessage(body: string, contentType: string | null): string {
  const text = body.trim();
  if (!text) return '';
  if (/html/i.test(contentType ?? '') || /^<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    return `an HTML page${title && squash(title) ? ` ("${squash(title)}")` : ''} instead of an API error`;
  }
  try {
    const message = fromJson(JSON.parse(text));
    if (message !== undefined) return squash(message);
  } catch {
    // Not JSON: a plain-text reason.
  }
  return squash(text);
}

/** Fields of llama.cpp's "exceeds the context" error kept through the rewrite (core/endpoint/context-overflow). */
const SIZE_FIELDS = ['n_prompt_tokens', 'n_ctx'] as const;

/** The size fields of an error body's error object, whole numbers only; nothing else of the body is kept. */
function sizeFields(body: string): Record<string, number> {
  let inner: unknown;
  try {
    inner = (JSON.parse(body) as { error?: unknown } | null)?.error;
  } catch {
    return {};
  }
  if (typeof inner !== 'object' || inner === null) return {};
  const kept: Record<string, number> = {};
  for (const f of SIZE_FIELDS) {
    const v = (inner as Record<string, unknown>)[f];
    if (typeof v === 'number' && Number.isSafeInteger(v)) kept[f] = v;
  }
  return kept;
}

/**
 * `fetch` with error bodies rewritten to {"error":{"message"}} (status and headers such as Retry-After kept;
 * llama.cpp's context-size fields kept beside the message).
 */
export function normalizingFetch(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.ok) return response;
    // A hostile server can send an error body of any size: only its first 64 KiB are read.
    const body = await readCapped(response);
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
    headers.delete('content-encoding');
    const message = serverMessage(body, response.headers.get('content-type'));
    return new Response(JSON.stringify({ error: { message, ...sizeFields(body) } }), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
