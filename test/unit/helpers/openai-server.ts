// A loopback OpenAI-compatible server for tests: POST /v1/chat/completions, streaming (SSE) and not,
// with scripted failures (429 with Retry-After, 500, a hang, an HTML page, empty choices) and a log of
// every request, so tests can assert what was (and was not) sent. It never touches the network.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Scripted =
  /** A normal completion with this text. */
  | { text: string }
  /** Any status with a body (JSON unless contentType says otherwise) and headers. */
  | { status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Never answers (the client's timeout must fire). */
  | { hang: true }
  /** Sends 200 headers, then nothing more. */
  | { stall: true }
  /** 200 with an HTML page. */
  | { html: true }
  /** 200 with "choices": []. */
  | { emptyChoices: true }
  /** 200 with one choice whose content is empty. */
  | { emptyContent: true };

export interface LoggedRequest {
  method: string;
  path: string;
  authorization?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** What the server did: 'text', 'status 429', 'hang', ... */
  answer: string;
  time: number;
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  temperature?: number;
  seed?: number;
  response_format?: unknown;
}

export class FakeOpenAIServer {
  readonly requests: LoggedRequest[] = [];
  /** Answers used first, one per chat request, in order; then `reply`. */
  script: Scripted[] = [];
  /** The default answer's text for a request (the n-th chat request, 1-based). */
  reply: (body: ChatBody, n: number) => string = (_body, n) => `Answer number ${n} from the loopback server.`;
  /** When set, chat requests after this many answered ones hang (to kill a client mid-run). */
  hangAfter?: number;
  /** When set and no scripted answer is left, what a request gets instead of a completion (undefined: completed). */
  refuse?: (body: ChatBody) => Scripted | undefined;
  /** When true, a request with response_format gets a 400 naming it, as older servers do. */
  rejectResponseFormat = false;
  /** Every chat request waits this long before answering. */
  delayMs = 0;
  /** What GET /v1/models lists; undefined: no such route (404, as a server that is not OpenAI-compatible). */
  models?: string[];
  /** When set, every request without `Authorization: Bearer <requiredKey>` gets a 401. */
  requiredKey?: string;
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private chatCount = 0;
  private answered = 0;
  private waiters: { ok: (r: LoggedRequest) => boolean; resolve: (r: LoggedRequest) => void }[] = [];
  baseUrl = '';

  /** Listens on 127.0.0.1, on `port` when given (a preset's well-known port), else on a free one. */
  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res).finally(() => this.settle()));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Resolves with the first request that `ok` accepts once the server has dealt with it (answered it, or
   * left it hanging): a test acts on that event instead of sleeping for a guessed time.
   */
  dealtWith(ok: (r: LoggedRequest) => boolean): Promise<LoggedRequest> {
    return new Promise((resolve) => {
      this.waiters.push({ ok, resolve });
      this.settle();
    });
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      const hit = this.requests.find((r) => r.answer !== '' && w.ok(r));
      if (hit) w.resolve(hit);
      return !hit;
    });
  }

  /** The chat requests only. */
  get chats(): LoggedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    } catch {
      body = null;
    }
    const entry: LoggedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body,
      answer: '',
      time: Date.now(),
    };
    this.requests.push(entry);
    if (this.requiredKey !== undefined && entry.authorization !== `Bearer ${this.requiredKey}`) {
      entry.answer = 'status 401';
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error' } }));
      return;
    }
    if (req.method === 'GET' && entry.path.endsWith('/v1/models') && this.models) {
      entry.answer = 'models';
      const data = this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
      return;
    }
    if (req.method !== 'POST' || !entry.path.endsWith('/v1/chat/completions')) {
      entry.answer = 'status 404';
      res
        .writeHead(404, { 'content-type': 'text/html' })
        .end('<html><head><title>404 Not Found</title></head><body>nothing here</body></html>');
      return;
    }
    const chat = body as ChatBody;
    const n = ++this.chatCount;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    let step: Scripted | undefined = this.script.shift() ?? this.refuse?.(chat);
    if (!step && this.rejectResponseFormat && chat.response_format) {
      step = {
        status: 400,
        body: JSON.stringify({ object: 'error', message: "Unsupported parameter: 'response_format'", code: 400 }),
      };
    }
    if (!step && this.hangAfter !== undefined && this.answered >= this.hangAfter) step = { hang: true };
    step ??= { text: this.reply(chat, n) };
    if ('hang' in step) {
      entry.answer = 'hang';
      return;
    }
    if ('stall' in step) {
      entry.answer = 'stall';
      res.writeHead(200, { 'content-type': chat.stream ? 'text/event-stream' : 'application/json' });
      res.flushHeaders();
      return;
    }
    if ('status' in step) {
      entry.answer = `status ${step.status}`;
      res
        .writeHead(step.status, { 'content-type': step.contentType ?? 'application/json', ...step.headers })
        .end(step.body ?? '');
      return;
    }
    if ('html' in step) {
      entry.answer = 'html';
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!DOCTYPE html><html><head><title>Welcome</title></head><body>A web page</body></html>');
      return;
    }
    const text = 'text' in step ? step.text : '';
    entry.answer = 'text' in step ? 'text' : 'emptyChoices' in step ? 'emptyChoices' : 'emptyContent';
    const choices = 'emptyChoices' in step ? [] : undefined;
    this.answered++;
    if (chat.stream) this.sendStream(res, chat, text, choices);
    else {
      const usage = { prompt_tokens: 10, completion_tokens: text.split(/\s+/).filter(Boolean).length, total_tokens: 0 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${n}`,
          object: 'chat.completion',
          created: 0,
          model: chat.model,
          choices: choices ?? [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage,
        }),
      );
    }
  }

  private sendStream(res: http.ServerResponse, chat: ChatBody, text: string, choices: unknown[] | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    const base = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 0, model: chat.model };
    if (choices) {
      send({ ...base, choices });
    } else {
      // Three pieces, so the client has to join a real stream.
      const third = Math.ceil(text.length / 3);
      const pieces = text
        ? [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter(Boolean)
        : [];
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      for (const p of pieces) send({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    }
    if (chat.stream_options?.include_usage)
      send({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } });
    res.end('data: [DONE]\n\n');
  }
}

/** A loopback port nothing listens on: one the OS just gave out and that was closed again. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
