// A server that works against its client: it stalls, cuts the connection, streams for ever, sends 200 MB,
// puts terminal escapes in its errors, or echoes the credentials of the URL. Each case ends in an error that
// names the server (redacted), within the timeout, with bounded memory, and with no secret and no escape in
// any message or log line; the CLI (`judge --timeout --retries`) does the same.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EndpointError, EndpointGenerator, type EndpointOptions } from '../../src/core/endpoint';
import type { Logger } from '../../src/core/log';
import { runCli } from './helpers/run-node';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

class HostileServer {
  readonly seen: { url: string; authorization?: string }[] = [];
  handler: Handler = (_req, res) => res.writeHead(500).end();
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
        this.handler(req, res, body);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

function sse(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}
const delta = (content: string, finish: string | null = null) => {
  const chunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
};

/** Writes `total` bytes of `unit` with backpressure, stopping when the client goes away. */
function pour(res: http.ServerResponse, unit: string, total: number): void {
  const chunk = Buffer.from(unit.repeat(Math.ceil(65536 / unit.length)));
  let sent = 0;
  const more = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

async function failure(p: Promise<unknown>): Promise<EndpointError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EndpointError, `expected an EndpointError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail, it succeeded');
}

const ask = { system: 'Be terse.', user: 'Say something.', maxTokens: 32 };
const ESC = /[\u001b\u0007\u009b]/;

describe('endpoint: hostile servers', function () {
  this.timeout(30_000);
  let server: HostileServer;
  let logger: ReturnType<typeof recordingLogger>;
  const gen = (extra: Partial<EndpointOptions> = {}) =>
    new EndpointGenerator({
      baseURL: `http://127.0.0.1:${server.port}/v1`,
      model: 'm',
      timeoutMs: 1000,
      maxRetries: 0,
      retryDelayMs: 10,
      logger,
      ...extra,
    });

  beforeEach(async () => {
    server = new HostileServer();
    logger = recordingLogger();
    await server.start();
  });
  afterEach(() => server.close());

  it('fails a stream that stalls after its first token within the timeout, naming the server', async () => {
    server.handler = (_q, res) => {
      sse(res);
      res.write(delta('Hello'));
    };
    const t0 = Date.now();
    const err = await failure(gen({ timeoutMs: 500 }).generate({ ...ask, onToken: () => undefined }));
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /m @ http:\/\/127\.0\.0\.1:\d+\/v1 sent nothing for 0\.5 s/);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  it('fails a server that accepts and never answers, retrying a timeout only once', async () => {
    server.handler = () => undefined;
    const t0 = Date.now();
    const err = await failure(gen({ timeoutMs: 300, maxRetries: 4 }).generate(ask));
    assert.equal(err.code, 'TIMEOUT');
    assert.equal(server.seen.length, 2, 'one attempt and one retry');
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  it('treats a stream cut before its finish_reason as an error, not a finished output', async () => {
    server.handler = (_q, res) => {
      sse(res);
      res.write(delta('Half an ans'));
      res.end();
    };
    const ended = await failure(gen().generate({ ...ask, onToken: () => undefined }));
    assert.equal(ended.code, 'INCOMPLETE');
    assert.match(ended.message, /127\.0\.0\.1/);
    server.handler = (_q, res) => {
      sse(res);
      res.write(delta('Half an ans'), () => res.socket?.destroy());
    };
    const cut = await failure(gen().generate({ ...ask, onToken: () => undefined }));
    assert.ok(['UNREACHABLE', 'INCOMPLETE'].includes(cut.code), `${cut.code}: ${cut.message}`);
    assert.match(cut.message, /127\.0\.0\.1/);
  });

  it('stops an endless stream at the response cap', async () => {
    server.handler = (_q, res) => {
      sse(res);
      pour(res, delta('word '), 500 * 1024 * 1024);
    };
    const err = await failure(gen({ maxResponseChars: 20_000 }).generate({ ...ask, onToken: () => undefined }));
    assert.equal(err.code, 'TOO_LARGE');
    assert.match(err.message, /20000 characters/);
  });

  it('reads 200 MB answers and error bodies only up to their caps, with bounded memory', async () => {
    const before = process.memoryUsage().rss;
    server.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices":[{"message":{"content":"');
      pour(res, 'x', 200 * 1024 * 1024);
    };
    const big = await failure(gen().generate(ask));
    assert.equal(big.code, 'TOO_LARGE');
    server.handler = (_q, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      pour(res, 'y', 200 * 1024 * 1024);
    };
    const err = await failure(gen().generate(ask));
    assert.equal(err.code, 'SERVER');
    assert.ok(err.message.length < 1000, `a ${err.message.length}-character message`);
    const grew = (process.memoryUsage().rss - before) / 1024 / 1024;
    assert.ok(grew < 150, `memory grew by ${grew.toFixed(0)} MiB`);
  });

  it('prints no terminal escapes from a server, in retry lines or the final error', async () => {
    const evil = 'bad \u001b]0;pwned\u0007 \u001b[31mred\u001b[0m \u009b2J done';
    server.handler = (_q, res) =>
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: evil } }));
    const err = await failure(gen({ maxRetries: 1 }).generate(ask));
    assert.equal(err.code, 'SERVER');
    assert.match(err.message, /bad .*red .*done/);
    assert.doesNotMatch(err.message, ESC);
    assert.equal(logger.lines.length, 1);
    for (const l of logger.lines) assert.doesNotMatch(l, ESC);
  });

  it('sends URL credentials as Basic auth and the query as a query, and never prints them', async () => {
    const secrets = ['alice', 's3cret-pw', 'QUERYKEY-123'];
    server.handler = (_q, res) =>
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `denied for alice/s3cret-pw with QUERYKEY-123` } }));
    const g = gen({
      baseURL: `http://alice:s3cret-pw@127.0.0.1:${server.port}/v1/?api_key=QUERYKEY-123`,
      maxRetries: 1,
    });
    assert.equal(g.name, `m @ http://***@127.0.0.1:${server.port}/v1?api_key=***`);
    const err = await failure(g.generate(ask));
    assert.equal(server.seen[0].url, '/v1/chat/completions?api_key=QUERYKEY-123');
    assert.equal(server.seen[0].authorization, `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
    for (const text of [err.message, ...logger.lines]) for (const s of secrets) assert.ok(!text.includes(s), text);
    server.handler = (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ choices: [{ message: { content: 'echo s3cret-pw QUERYKEY-123' }, finish_reason: 'stop' }] }),
        );
    const ok = await g.generate(ask);
    for (const s of secrets) assert.ok(!ok.text.includes(s), ok.text);
  });

  it('refuses a URL with a user and password when an API key is given too, without printing either', () => {
    assert.throws(
      () => gen({ baseURL: 'http://bob:hunter22@127.0.0.1:9/v1', apiKey: 'sk-abcdef' }),
      (e: Error) => /use one of them/.test(e.message) && !/hunter22|bob|sk-abcdef/.test(e.message),
    );
  });

  it('judge --timeout 1 --retries 0: a silent server is an error within seconds, secrets hidden', async () => {
    server.handler = () => undefined;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-hostile-'));
    const file = path.join(dir, 'text.txt');
    writeFileSync(file, 'A short text to score.\n');
    const t0 = Date.now();
    const r = await runCli([
      'judge',
      '--model',
      `http://carol:pw-9876@127.0.0.1:${server.port}/v1?key=QK-55555`,
      '--endpoint-model',
      'judge-m',
      '--rubric',
      'formality',
      '--file',
      file,
      '--timeout',
      '1',
      '--retries',
      '0',
    ]);
    assert.notEqual(r.code, 0);
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
    assert.match(r.stderr, /sent nothing for 1\.0 s/);
    for (const s of ['carol', 'pw-9876', 'QK-55555'])
      assert.ok(!r.stderr.includes(s) && !r.stdout.includes(s), r.stderr);
  });
});
