import assert from 'node:assert/strict';
import {
  EndpointError,
  EndpointGenerator,
  EndpointTooLongError,
  apiKeyFromEnv,
  generatorFromSpec,
  isEndpointSpec,
  retryAfterMs,
  serverMessage,
  type EndpointOptions,
} from '../../src/core/endpoint';
import { tooLongOf } from '../../src/core/errors';
import type { Logger } from '../../src/core/log';
import { FakeOpenAIServer, closedPort } from './helpers/openai-server';
import { testEngineOptions, testModels } from './helpers/test-models';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => lines.push(`${level}: ${m}`);
  return {
    lines,
    trace: push('trace'),
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  };
}

async function expectEndpointError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<EndpointError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof EndpointError, `expected an EndpointError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

const ask = { system: 'You are terse.', user: 'Say something.', maxTokens: 32, temperature: 0.2 };

describe('endpoint: OpenAI-compatible client', function () {
  this.timeout(30_000);
  let server: FakeOpenAIServer;
  const fast = (extra: Partial<EndpointOptions> = {}): EndpointGenerator =>
    new EndpointGenerator({
      baseURL: server.baseUrl,
      model: 'teacher-7b',
      retryDelayMs: 20,
      maxRetryDelayMs: 2_000,
      timeoutMs: 5_000,
      ...extra,
    });

  beforeEach(async () => {
    server = new FakeOpenAIServer();
    await server.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends one chat completion and returns its text and usage (not streamed)', async () => {
    server.script = [{ text: 'A short answer.' }];
    const result = await fast().generate({ ...ask, seed: 7 });
    assert.equal(result.text, 'A short answer.');
    assert.equal(result.stopReason, 'eos');
    assert.equal(result.promptTokens, 10);
    assert.equal(result.outputTokens, 3);
    assert.equal(server.chats.length, 1);
    const body = server.chats[0].body;
    assert.equal(body.model, 'teacher-7b');
    assert.deepEqual(body.messages, [
      { role: 'system', content: ask.system },
      { role: 'user', content: ask.user },
    ]);
    assert.equal(body.max_tokens, 32);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.seed, 7);
    assert.equal(body.stream, undefined);
  });

  it('streams when asked for tokens: the pieces arrive in order and join to the text', async () => {
    server.script = [{ text: 'Streaming works piece by piece.' }];
    const pieces: string[] = [];
    const result = await fast().generate({ ...ask, onToken: (p) => pieces.push(p) });
    assert.ok(pieces.length >= 2, `expected several pieces, got ${pieces.length}`);
    assert.equal(pieces.join(''), 'Streaming works piece by piece.');
    assert.equal(result.text, 'Streaming works piece by piece.');
    assert.equal(server.chats[0].body.stream, true);
    assert.deepEqual(server.chats[0].body.stream_options, { include_usage: true });
    assert.equal(result.outputTokens, 3);
  });

  it(
    'sends no Authorization header without a key, even with OPENAI_API_KEY set, and a bearer token ' + 'with one',
    async () => {
      const saved = process.env.OPENAI_API_KEY;
      process.env.OPENAI_API_KEY = 'sk-from-the-environment-should-not-be-sent';
      try {
        await fast().generate(ask);
        await fast({ apiKey: 'sk-test-key-1234' }).generate(ask);
      } finally {
        if (saved === undefined) delete process.env.OPENAI_API_KEY;
        else process.env.OPENAI_API_KEY = saved;
      }
      assert.equal(server.chats[0].authorization, undefined);
      assert.equal(server.chats[1].authorization, 'Bearer sk-test-key-1234');
    },
  );

  it('turns jsonSchema into response_format json_schema', async () => {
    server.script = [{ text: '{"score": 50}' }];
    const schema = { type: 'object', properties: { score: { enum: [10, 50, 90] } }, required: ['score'] };
    const result = await fast().generate({ ...ask, jsonSchema: schema });
    assert.deepEqual(JSON.parse(result.text), { score: 50 });
    assert.deepEqual(server.chats[0].body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'answer', schema },
    });
  });

  it('falls back to the schema in the system prompt when a server rejects response_format, once', async () => {
    server.rejectResponseFormat = true;
    server.reply = () => '```json\n{"score": 90}\n```';
    const logger = recordingLogger();
    const gen = fast({ logger });
    const schema = { type: 'object', properties: { score: { enum: [10, 90] } } };
    const first = await gen.generate({ ...ask, jsonSchema: schema });
    const second = await gen.generate({ ...ask, jsonSchema: schema });
    assert.deepEqual(JSON.parse(first.text), { score: 90 });
    assert.deepEqual(JSON.parse(second.text), { score: 90 });
    assert.deepEqual(
      server.chats.map((c) => c.answer),
      ['status 400', 'text', 'text'],
    );
    assert.equal(server.chats[1].body.response_format, undefined);
    assert.match(
      server.chats[1].body.messages[0].content,
      /^You are terse\.\n\nAnswer with one JSON object that matches this JSON schema/,
    );
    assert.equal(logger.lines.filter((l) => l.includes('response_format')).length, 1);
  });

  it('switches to max_completion_tokens when a server rejects max_tokens', async () => {
    server.script = [
      {
        status: 400,
        body: JSON.stringify({
          error: {
            message:
              "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' " +
              'instead.',
          },
        }),
      },
    ];
    const result = await fast().generate(ask);
    assert.match(result.text, /^Answer number 2/);
    assert.equal(server.chats[1].body.max_tokens, undefined);
    assert.equal(server.chats[1].body.max_completion_tokens, 32);
  });

  it('retries 429 and 500, honouring Retry-After, and logs each retry', async () => {
    server.script = [
      { status: 429, headers: { 'retry-after': '0.4' }, body: '{"error":{"message":"slow down"}}' },
      { status: 500, body: 'upstream crashed' },
    ];
    const logger = recordingLogger();
    const t0 = Date.now();
    const result = await fast({ logger }).generate(ask);
    assert.match(result.text, /^Answer number 3/);
    assert.deepEqual(
      server.chats.map((c) => c.answer),
      ['status 429', 'status 500', 'text'],
    );
    const gap = server.chats[1].time - server.chats[0].time;
    assert.ok(gap >= 380, `the retry after a 429 with Retry-After: 0.4 came after ${gap} ms`);
    assert.ok(Date.now() - t0 >= 380);
    const warnings = logger.lines.filter((l) => l.startsWith('warn:'));
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /answered 429: slow down; retry 1 of 4 in 0\.4 s/);
    assert.match(warnings[1], /answered 500: upstream crashed; retry 2 of 4/);
  });

  it('gives up on a 429 that does not clear, saying so', async () => {
    server.script = Array.from({ length: 5 }, () => ({ status: 429, body: '{"error":{"message":"quota"}}' }));
    await expectEndpointError(
      fast({ maxRetries: 2 }).generate(ask),
      'RATE_LIMITED',
      /answered 429: quota \(gave up after 2 retries\)/,
    );
    assert.equal(server.chats.length, 3);
  });

  it(
    "reads a refusal as too long for the context as the passage's, with the numbers, neither retried nor " + 'adapted',
    async () => {
      server.script = [
        {
          status: 400,
          body: JSON.stringify({
            error: {
              code: 400,
              message: 'request (5120 tokens) exceeds the available context size (4096 tokens), try increasing it',
              type: 'exceed_context_size_error',
              n_prompt_tokens: 5120,
              n_ctx: 4096,
            },
          }),
        },
      ];
      const e = await expectEndpointError(
        fast().generate({ ...ask, temperature: 0.2, seed: 7 }),
        'TOO_LONG',
        /answered 400: request \(5120 tokens\) exceeds the available context size \(4096 tokens\)/,
      );
      assert.ok(e instanceof EndpointTooLongError);
      assert.deepEqual(tooLongOf(e), { tokens: 5120, contextSize: 4096 });
      assert.equal(e.status, 400);
      assert.equal(server.chats.length, 1, 'asked once: no retry, and no field dropped to try again');
    },
  );

  it('stops at once on other 4xx with the server message, in any of the usual error shapes', async () => {
    server.script = [
      {
        status: 400,
        body: JSON.stringify({
          object: 'error',
          message: 'This model maximum context length is 4096 tokens',
          code: 400,
        }),
      },
    ];
    await expectEndpointError(
      fast().generate(ask),
      'BAD_REQUEST',
      /teacher-7b @ http:\/\/127\.0\.0\.1:\d+\/v1 answered 400: This model maximum context length is 4096 tokens$/,
    );
    server.script = [{ status: 422, body: JSON.stringify({ detail: [{ msg: 'field required' }] }) }];
    await expectEndpointError(fast().generate(ask), 'BAD_REQUEST', /answered 422: field required$/);
    server.script = [{ status: 401, body: '{"error":{"message":"Invalid API key"}}' }];
    await expectEndpointError(fast().generate(ask), 'AUTH', /answered 401: Invalid API key; check the key/);
    assert.equal(server.chats.length, 3, 'no retries for 4xx');
  });

  it('says what to check for a wrong base URL (an HTML 404), without the page', async () => {
    const gen = new EndpointGenerator({ baseURL: server.baseUrl.replace(/\/v1$/, ''), model: 'm', retryDelayMs: 10 });
    const err = await expectEndpointError(
      gen.generate(ask),
      'NOT_FOUND',
      new RegExp(
        String.raw`answered 404: an HTML page \("404 Not Found"\) instead of an API ` +
          String.raw`error; check that the URL is the API root \(it usually ends in \/v1\)`,
      ),
    );
    assert.ok(!err.message.includes('<'), err.message);
  });

  it('retries a request that times out, and reports a timeout that persists (also a body that stalls)', async () => {
    server.script = [{ hang: true }];
    const ok = await fast({ timeoutMs: 300 }).generate(ask);
    assert.match(ok.text, /^Answer number 2/);
    server.script = [{ stall: true }, { stall: true }];
    await expectEndpointError(
      fast({ timeoutMs: 300, maxRetries: 1 }).generate(ask),
      'TIMEOUT',
      /teacher-7b @ http:\/\/127\.0\.0\.1:\d+\/v1 sent nothing for 0\.3 s \(gave up after 1 retry\)/,
    );
    server.script = [{ stall: true }];
    await expectEndpointError(
      fast({ timeoutMs: 300, maxRetries: 0 }).generate({ ...ask, onToken: () => undefined }),
      'TIMEOUT',
    );
  });

  it('reports a server that is down clearly', async () => {
    const port = await closedPort();
    const gen = new EndpointGenerator({
      baseURL: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      maxRetries: 1,
      retryDelayMs: 10,
    });
    await expectEndpointError(
      gen.generate(ask),
      'UNREACHABLE',
      new RegExp(
        `cannot reach http://127\\.0\\.0\\.1:${port}/v1: connection refused; is the server running\\? ` +
          `\\(gave up after 1 retry\\)`,
      ),
    );
  });

  it('refuses an HTML page served with 200, streamed or not', async () => {
    server.script = [{ html: true }, { html: true }];
    await expectEndpointError(
      fast().generate(ask),
      'NOT_OPENAI',
      /answered with an HTML page, not an OpenAI-compatible chat completion/,
    );
    await expectEndpointError(fast().generate({ ...ask, onToken: () => undefined }), 'NOT_OPENAI', /HTML page/);
    assert.equal(server.chats.length, 2);
  });

  it('refuses empty choices and empty messages, streamed or not', async () => {
    server.script = [{ emptyChoices: true }, { emptyContent: true }, { emptyChoices: true }, { emptyContent: true }];
    await expectEndpointError(fast().generate(ask), 'EMPTY_RESPONSE', /answered with no choices/);
    await expectEndpointError(
      fast().generate(ask),
      'EMPTY_RESPONSE',
      /answered with an empty message \(finish_reason: stop\)/,
    );
    await expectEndpointError(
      fast().generate({ ...ask, onToken: () => undefined }),
      'EMPTY_RESPONSE',
      /streamed no choices/,
    );
    await expectEndpointError(fast().generate({ ...ask, onToken: () => undefined }), 'EMPTY_RESPONSE', /empty message/);
  });

  it('returns aborted at once when the signal fires mid-request or during a retry wait', async () => {
    server.script = [{ hang: true }];
    const ac = new AbortController();
    void server.dealtWith((r) => r.answer === 'hang').then(() => ac.abort());
    const t0 = Date.now();
    const r1 = await fast().generate({ ...ask, signal: ac.signal });
    assert.equal(r1.stopReason, 'aborted');
    assert.ok(Date.now() - t0 < 2_000);
    server.script = [{ status: 503, headers: { 'retry-after': '30' } }];
    const ac2 = new AbortController();
    void server.dealtWith((r) => r.answer === 'status 503').then(() => ac2.abort());
    const t1 = Date.now();
    const r2 = await fast({ maxRetryDelayMs: 60_000 }).generate({ ...ask, signal: ac2.signal });
    assert.equal(r2.stopReason, 'aborted');
    assert.ok(Date.now() - t1 < 2_000, 'Ctrl+C does not wait out a Retry-After');
  });

  it('never lets the key out: not in errors, logs or the text, even from a server that echoes it', async () => {
    const key = 'sk-secret-0123456789abcdef';
    const logger = recordingLogger();
    server.script = [
      { status: 500, body: JSON.stringify({ error: { message: `bad header Bearer ${key}` } }) },
      { text: `I saw your key ${key} here` },
      { status: 400, body: `<html><head><title>Denied ${key}</title></head></html>`, contentType: 'text/html' },
      { html: true },
    ];
    const gen = fast({ apiKey: key, logger });
    const ok = await gen.generate(ask);
    assert.equal(ok.text, 'I saw your key [redacted] here');
    const e1 = await expectEndpointError(gen.generate(ask), 'BAD_REQUEST');
    const e2 = await expectEndpointError(gen.generate(ask), 'NOT_OPENAI');
    for (const text of [e1.message, e2.message, ...logger.lines, gen.name]) assert.ok(!text.includes(key), text);
    assert.ok(logger.lines.some((l) => l.includes('[redacted]')));
  });

  it('keeps credentials in a URL out of its name (redacted, the parameter names kept)', () => {
    const gen = new EndpointGenerator({ baseURL: 'https://user:pass@example.invalid/v1?api-key=abc', model: 'm' });
    assert.equal(gen.name, 'm @ https://***@example.invalid/v1?api-key=***');
  });
});

describe('endpoint: keys, specs and messages', () => {
  it('reads the key from the named variable and says clearly when it is missing', () => {
    assert.equal(apiKeyFromEnv('MY_KEY', { MY_KEY: ' sk-abc ' }), 'sk-abc');
    assert.throws(
      () => apiKeyFromEnv('MY_KEY', {}),
      (e: unknown) =>
        e instanceof EndpointError &&
        e.code === 'MISSING_KEY' &&
        /MY_KEY named by --api-key-env is not set/.test(e.message),
    );
    assert.throws(() => apiKeyFromEnv('MY_KEY', { MY_KEY: '' }), /is not set \(or is empty\)/);
  });

  it('refuses a key pasted where the variable name goes, without echoing it', () => {
    const pasted = 'sk-proj-AbC123-pasted.key';
    assert.throws(
      () => apiKeyFromEnv(pasted, {}),
      (e: unknown) =>
        e instanceof Error &&
        /takes the NAME of an environment variable/.test(e.message) &&
        !e.message.includes(pasted),
    );
  });

  it('tells endpoints from GGUF specs', () => {
    assert.ok(isEndpointSpec('http://127.0.0.1:8000/v1'));
    assert.ok(isEndpointSpec('https://api.example.com/v1/'));
    assert.ok(!isEndpointSpec('https://huggingface.co/u/r/resolve/main/model-Q4_K_M.gguf?download=true'));
    assert.ok(!isEndpointSpec('/models/qwen.gguf'));
    assert.ok(!isEndpointSpec('hf:user/repo:Q4_K_M'));
  });

  it('reads Retry-After as seconds, an HTTP date or retry-after-ms', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150' })), 150);
    const inTwo = new Date(Date.now() + 2000).toUTCString();
    const ms = retryAfterMs(new Headers({ 'retry-after': inTwo }))!;
    assert.ok(ms > 0 && ms <= 2000, String(ms));
    assert.equal(retryAfterMs(new Headers()), undefined);
  });

  it('finds the reason in the usual error bodies', () => {
    assert.equal(serverMessage('{"error":{"message":"nope"}}', 'application/json'), 'nope');
    assert.equal(serverMessage('{"object":"error","message":"too long"}', 'application/json'), 'too long');
    assert.equal(serverMessage('{"detail":"Not Found"}', 'application/json'), 'Not Found');
    assert.equal(serverMessage('{"error":"model not loaded"}', 'application/json'), 'model not loaded');
    assert.equal(serverMessage('Bad Gateway\n', 'text/plain'), 'Bad Gateway');
    assert.equal(
      serverMessage('<html><title>502 Bad Gateway</title></html>', 'text/html'),
      'an HTML page ("502 Bad Gateway") instead of an API error',
    );
  });

  it('generatorFromSpec: an endpoint needs a model name; a GGUF loads in the engine and answers', async function () {
    this.timeout(60_000);
    await assert.rejects(
      generatorFromSpec('http://127.0.0.1:9/v1', { endpointModelFlag: '--teacher-model' }),
      /is an OpenAI-compatible endpoint: give the model it serves with --teacher-model NAME/,
    );
    const endpoint = await generatorFromSpec('http://127.0.0.1:9/v1', { endpointModel: 'qwen' });
    assert.equal(endpoint.kind, 'endpoint');
    assert.equal(endpoint.name, 'qwen @ http://127.0.0.1:9/v1');
    const { tiny } = await testModels();
    await assert.rejects(
      generatorFromSpec(tiny, { endpointModel: 'x', endpointModelFlag: '--teacher-model' }),
      /--teacher-model is only for an http\(s\) endpoint/,
    );
    const local = await generatorFromSpec(tiny, { engine: testEngineOptions() });
    try {
      assert.equal(local.kind, 'local');
      assert.match(local.name, /random-weight test model \(model-[0-9a-f]+\.gguf\)$/);
      const r = await local.generator.generate({ system: 'Be brief.', user: 'Hello', maxTokens: 4, temperature: 0 });
      assert.ok(r.outputTokens > 0);
    } finally {
      await local.dispose();
    }
  });
});
