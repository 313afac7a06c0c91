// A TextGenerator over any OpenAI-compatible chat-completions server (vLLM, llama.cpp's llama-server,
// Ollama, LM Studio, a hosted API) through the official `openai` client.
//
// The client speaks the protocol (request bodies, SSE parsing, error types); retries and the timeout are
// ours (the client's own are switched off), because its retry sleep cannot be cancelled by Ctrl+C, it
// honours any Retry-After however long, and its timeout stops counting once the headers arrive, so a
// server that stalls mid-answer would hang a run for ever.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import type { GenerateRequest, GenerateResult, JsonSchema, TextGenerator } from '../engine/types';
import { type Logger, silentLogger } from '../log';
import { terminalSafe } from '../terminal-safe';
import { redact } from './api-key';
import { type EndpointUrl, displayUrl, parseEndpointUrl, redactSecrets } from './endpoint-url';
import { endpointErrorOf, type RetryHint } from './error-of';
import { EndpointError } from './errors';
import { DEFAULT_MAX_RESPONSE_CHARS, guardedFetch } from './guarded-fetch';
import { normalizingFetch } from './server-message';

export { displayUrl };

export interface EndpointOptions {
  /** The API root, e.g. http://127.0.0.1:8080/v1 (chat completions are POSTed to BASE/chat/completions). */
  baseURL: string;
  /** The model name the server serves (vLLM's --served-model-name, Ollama's tag, ...). */
  model: string;
  /** Sent as a bearer token; without one no Authorization header is sent at all. */
  apiKey?: string;
  /**
   * Most time the server may stay silent: before the answer's headers and between two chunks of its body
   * (default DEFAULT_TIMEOUT_MS). A request that gets nothing for that long fails (and may be retried).
   */
  timeoutMs?: number;
  /** Most characters of text one completion may hold (default 1 MiB); a longer answer is an error. */
  maxResponseChars?: number;
  /** Retries after a 429, a 5xx, a timeout or a dropped connection (default 4). */
  maxRetries?: number;
  /** The first backoff; each retry doubles it (default 1 s). */
  retryDelayMs?: number;
  /** The longest wait between attempts, also for a server's Retry-After (default 60 s). */
  maxRetryDelayMs?: number;
  /** Stream the answer: 'auto' (default) streams when the request has onToken. */
  stream?: boolean | 'auto';
  logger?: Logger;
}

/** Shared by every command and the editor: `--timeout` and `--retries` default to these. */
export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_RETRIES = 4;
const DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_TEMPERATURE = 0.7;

/** Request fields some servers reject; once one is rejected, the generator stops sending it that way. */
interface Adaptations {
  /** OpenAI's reasoning models want max_completion_tokens instead of max_tokens. */
  maxCompletionTokens: boolean;
  /** Models that only allow their default temperature. */
  noTemperature: boolean;
  noSeed: boolean;
  /** Older servers reject stream_options (token usage in a stream). */
  noStreamOptions: boolean;
  /** Servers without json_schema response_format get the schema in the system prompt instead. */
  schemaInPrompt: boolean;
}

/** Checks a base URL before any request (http(s) only) and returns its API root without credentials or query. */
export function checkBaseUrl(baseURL: string): string {
  return parseEndpointUrl(baseURL).root;
}

function schemaInstruction(schema: JsonSchema): string {
  return `Answer with one JSON object that matches this JSON schema, and nothing else:\n${JSON.stringify(schema)}`;
}

/** A JSON answer a server wrapped in a Markdown fence (it happens when the schema is only in the prompt). */
function unfence(text: string): string {
  const m = /^\s*```(?:json)?[ \t]*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return m ? m[1] : text;
}

interface AttemptState {
  /** Text already passed to onToken: after that a retry would repeat it, so none is made. */
  emitted: string;
}

type ChatParams = OpenAI.Chat.ChatCompletionCreateParams;

export class EndpointGenerator implements TextGenerator {
  readonly baseURL: string;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly logger: Logger;
  private readonly adapt: Adaptations = {
    maxCompletionTokens: false,
    noTemperature: false,
    noSeed: false,
    noStreamOptions: false,
    schemaInPrompt: false,
  };

  private readonly url: EndpointUrl;

  constructor(private readonly options: EndpointOptions) {
    this.url = parseEndpointUrl(options.baseURL);
    this.baseURL = this.url.root;
    if (!options.model.trim())
      throw new EndpointError('CONFIG', `no model name for ${this.url.display}: give the name the server serves`);
    if (this.url.authorization && options.apiKey)
      throw new EndpointError(
        'CONFIG',
        `${this.url.display} holds a user and password and an API key is given too: use one of them`,
      );
    this.model = options.model.trim();
    this.logger = options.logger ?? silentLogger;
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const authorization = options.apiKey ? {} : { Authorization: this.url.authorization ?? null };
    this.client = new OpenAI({
      baseURL: this.baseURL,
      // The client insists on a key; without one the Authorization header is removed below, so a local
      // server never receives a made-up token (nor OPENAI_API_KEY from the environment).
      apiKey: options.apiKey ?? 'no-key',
      adminAPIKey: null,
      organization: null,
      project: null,
      defaultHeaders: authorization,
      ...(Object.keys(this.url.query).length ? { defaultQuery: this.url.query } : {}),
      maxRetries: 0,
      // Ours is the timeout that counts (in guardedFetch); the client's only has to outlast it.
      timeout: timeout + 60_000,
      logLevel: 'off',
      fetch: normalizingFetch(
        guardedFetch(globalThis.fetch, {
          server: this.name,
          idleMs: timeout,
          maxResponseChars: this.maxChars,
        }),
      ),
    });
  }

  /** "model @ http://host/v1": how the generator is named in logs, reports and sample files (redacted). */
  get name(): string {
    return `${terminalSafe(this.model)} @ ${this.url.display}`;
  }

  private get maxChars(): number {
    return this.options.maxResponseChars ?? DEFAULT_MAX_RESPONSE_CHARS;
  }

  /** Server text with every secret (the key, the URL's user, password and query values) taken out. */
  private safe(text: string): string {
    return redact(redactSecrets(text, this.url.secrets), this.options.apiKey);
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const start = Date.now();
    const state: AttemptState = { emitted: '' };
    if (req.signal?.aborted) return aborted('', start);
    const maxRetries = this.options.maxRetries ?? DEFAULT_RETRIES;
    let retries = 0;
    let timeouts = 0;
    for (;;) {
      let error: EndpointError;
      try {
        return await this.attempt(req, state, start);
      } catch (err) {
        if (req.signal?.aborted) return aborted(state.emitted, start);
        error = this.toEndpointError(err);
      }
      if (error.code === 'BAD_REQUEST' && !state.emitted && this.adaptTo(error, req)) continue;
      const retryable =
        error.code === 'RATE_LIMITED' ||
        error.code === 'SERVER' ||
        error.code === 'TIMEOUT' ||
        error.code === 'UNREACHABLE';
      // A server that accepted the request and then went silent twice is not going to answer: one timeout is
      // retried, so a dead server costs two timeouts, not one per retry.
      const timedOutBefore = error.code === 'TIMEOUT' && timeouts++ >= 1;
      if (!retryable || state.emitted || retries >= maxRetries || timedOutBefore) {
        if (retries > 0 && retryable)
          throw new EndpointError(
            error.code,
            `${error.message} (gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'})`,
            error.status,
          );
        throw error;
      }
      const wait = this.retryDelay(retries, (error as RetryHint).retryAfterMs);
      retries++;
      this.logger.warn(
        terminalSafe(`${error.message}; retry ${retries} of ${maxRetries} in ${(wait / 1000).toFixed(1)} s`),
      );
      try {
        await sleep(wait, undefined, req.signal ? { signal: req.signal } : undefined);
      } catch {
        return aborted(state.emitted, start);
      }
    }
  }

  private retryDelay(retry: number, retryAfterMs: number | undefined): number {
    const cap = this.options.maxRetryDelayMs ?? 60_000;
    if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, cap);
    const base = (this.options.retryDelayMs ?? 1000) * 2 ** retry;
    // Up to 25% less, so parallel requests that failed together do not come back together.
    return Math.min(base * (1 - Math.random() * 0.25), cap);
  }

  /**
   * Learns from a 400/422 that names a field this server does not take; true when the request can be sent again
   * differently.
   */
  private adaptTo(error: EndpointError, req: GenerateRequest): boolean {
    const m = error.message.toLowerCase();
    const mentions = (field: string) => m.includes(field);
    const turn = (key: keyof Adaptations, note: string): boolean => {
      if (this.adapt[key]) return false;
      this.adapt[key] = true;
      this.logger.warn(
        terminalSafe(`${this.name}: the server rejected ${note}; sending requests without it from now on`),
      );
      return true;
    };
    if (mentions('max_tokens') && !mentions('max_completion_tokens is not'))
      return turn('maxCompletionTokens', 'max_tokens (using max_completion_tokens)');
    if (req.jsonSchema && (mentions('response_format') || mentions('json_schema')))
      return turn('schemaInPrompt', 'response_format json_schema (the schema goes into the system prompt)');
    if (mentions('stream_options') || mentions('include_usage')) return turn('noStreamOptions', 'stream_options');
    if (mentions('temperature') && req.temperature !== undefined)
      return turn('noTemperature', 'temperature (the model keeps its default)');
    if (mentions('seed') && req.seed !== undefined) return turn('noSeed', 'seed');
    return false;
  }

  private params(req: GenerateRequest, stream: boolean): ChatParams {
    const schema = req.jsonSchema;
    const system = schema && this.adapt.schemaInPrompt ? `${req.system}\n\n${schemaInstruction(schema)}` : req.system;
    const maxTokens = req.maxTokens ?? DEFAULT_MAX_TOKENS;
    return {
      model: this.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: req.user },
      ],
      ...(this.adapt.maxCompletionTokens ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }),
      ...(this.adapt.noTemperature ? {} : { temperature: req.temperature ?? DEFAULT_TEMPERATURE }),
      ...(req.seed !== undefined && !this.adapt.noSeed ? { seed: req.seed } : {}),
      ...(schema && !this.adapt.schemaInPrompt
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'answer', schema: schema as Record<string, unknown> },
            },
          }
        : {}),
      ...(stream
        ? { stream: true, ...(this.adapt.noStreamOptions ? {} : { stream_options: { include_usage: true } }) }
        : {}),
    } as ChatParams;
  }

  private async attempt(req: GenerateRequest, state: AttemptState, start: number): Promise<GenerateResult> {
    const stream =
      this.options.stream === 'auto' || this.options.stream === undefined ? !!req.onToken : this.options.stream;
    return stream ? await this.streamed(req, state, req.signal, start) : await this.whole(req, req.signal, start);
  }

  private async whole(req: GenerateRequest, signal: AbortSignal | undefined, start: number): Promise<GenerateResult> {
    const { data, response } = await this.client.chat.completions
      .create(this.params(req, false) as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { signal, maxRetries: 0 })
      .withResponse();
    const body = data as unknown;
    if (typeof body !== 'object' || body === null) throw this.notOpenAi(response, typeof body === 'string' ? body : '');
    const choices = (body as { choices?: unknown }).choices;
    if (!Array.isArray(choices)) throw this.notOpenAi(response, JSON.stringify(body).slice(0, 200));
    if (choices.length === 0)
      throw new EndpointError('EMPTY_RESPONSE', `${this.name} answered with no choices (an empty completion)`);
    const choice = choices[0] as { message?: { content?: unknown }; finish_reason?: unknown };
    const content = typeof choice.message?.content === 'string' ? choice.message.content : '';
    if (!content) throw this.empty(choice.finish_reason);
    if (content.length > this.maxChars) throw this.tooLarge();
    const text = this.clean(content, req);
    req.onToken?.(text);
    const totalMs = Date.now() - start;
    const usage = data.usage;
    const outputTokens = usage?.completion_tokens ?? 0;
    return {
      text,
      stopReason: choice.finish_reason === 'length' ? 'maxTokens' : 'eos',
      promptTokens: usage?.prompt_tokens ?? 0,
      reusedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      outputTokens,
      timeToFirstTokenMs: totalMs,
      tokensPerSecond: totalMs > 0 ? outputTokens / (totalMs / 1000) : 0,
      totalMs,
    };
  }

  private async streamed(
    req: GenerateRequest,
    state: AttemptState,
    signal: AbortSignal | undefined,
    start: number,
  ): Promise<GenerateResult> {
    const { data: events, response } = await this.client.chat.completions
      .create(this.params(req, true) as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal, maxRetries: 0 })
      .withResponse();
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw this.notOpenAi(response, '');
    }
    let text = '';
    let sawChoice = false;
    let finish: unknown;
    let firstTokenAt: number | undefined;
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of events) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      sawChoice = true;
      if (choice.finish_reason) finish = choice.finish_reason;
      const piece = choice.delta?.content;
      if (typeof piece !== 'string' || !piece) continue;
      firstTokenAt ??= Date.now();
      chunks++;
      if (text.length + piece.length > this.maxChars) throw this.tooLarge();
      // A key can only be cut in two across pieces by a server that echoes it; redacting each piece
      // covers the echo in one piece, and clean() covers the joined text.
      const safe = this.safe(piece);
      text += safe;
      state.emitted += safe;
      req.onToken?.(safe);
    }
    if (!sawChoice) throw new EndpointError('EMPTY_RESPONSE', `${this.name} streamed no choices (an empty completion)`);
    if (!text) throw this.empty(finish);
    // A stream cut before the server said why it stopped is not a finished answer (the text may end mid-word).
    if (finish === undefined || finish === null)
      throw new EndpointError(
        'INCOMPLETE',
        `${this.name}: the stream ended before the answer was finished (no finish_reason); nothing was kept`,
      );
    const end = Date.now();
    const outputTokens = usage?.completion_tokens ?? chunks;
    const genMs = end - (firstTokenAt ?? end);
    return {
      text: this.clean(text, req),
      stopReason: finish === 'length' ? 'maxTokens' : 'eos',
      promptTokens: usage?.prompt_tokens ?? 0,
      reusedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      outputTokens,
      timeToFirstTokenMs: (firstTokenAt ?? end) - start,
      tokensPerSecond: genMs > 0 ? outputTokens / (genMs / 1000) : 0,
      totalMs: end - start,
    };
  }

  private tooLarge(): EndpointError {
    return new EndpointError(
      'TOO_LARGE',
      `${this.name} sent more than ${this.maxChars} characters for one answer (the response cap); ` +
        'the rest was discarded',
    );
  }

  private clean(text: string, req: GenerateRequest): string {
    const safe = this.safe(text);
    return req.jsonSchema && this.adapt.schemaInPrompt ? unfence(safe) : safe;
  }

  private empty(finish: unknown): EndpointError {
    const why =
      finish === 'length'
        ? ': the token limit was reached before any answer text (a reasoning model may need a higher --max-tokens)'
        : typeof finish === 'string'
          ? ` (finish_reason: ${finish})`
          : '';
    return new EndpointError('EMPTY_RESPONSE', `${this.name} answered with an empty message${why}`);
  }

  /** The start of an unexpected answer, as one safe line. */
  private sampleText(sample: string): string {
    return terminalSafe(this.safe(sample.slice(0, 120))).replace(/\s+/g, ' ');
  }

  private notOpenAi(response: Response, sample: string): EndpointError {
    const type = (response.headers.get('content-type') ?? 'no content type').split(';')[0];
    const looksHtml = /html/i.test(type) || /^\s*<(!doctype|html)/i.test(sample);
    const what = looksHtml ? 'an HTML page' : `${terminalSafe(type)}${sample ? ` (${this.sampleText(sample)})` : ''}`;
    return new EndpointError(
      'NOT_OPENAI',
      `${this.name} answered with ${what}, not an OpenAI-compatible chat completion; check that the URL is the ` +
        `API root (it usually ends in /v1)`,
      response.status,
    );
  }

  /** Every failure as an EndpointError whose message names the server and, when it said one, its reason. */
  private toEndpointError(err: unknown): EndpointError {
    return endpointErrorOf(err, {
      name: this.name,
      display: this.url.display,
      model: this.model,
      safe: (text) => terminalSafe(this.safe(text)),
    });
  }
}

function aborted(text: string, start: number): GenerateResult {
  return {
    text,
    stopReason: 'aborted',
    promptTokens: 0,
    reusedPromptTokens: 0,
    outputTokens: 0,
    timeToFirstTokenMs: 0,
    tokensPerSecond: 0,
    totalMs: Date.now() - start,
  };
}
