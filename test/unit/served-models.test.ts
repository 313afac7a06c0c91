import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EndpointError, listServedModels, probeServers } from '../../src/core/endpoint';
import { FakeOpenAIServer, closedPort } from './helpers/openai-server';

async function code(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EndpointError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected an EndpointError');
}

describe('served models (GET /v1/models)', () => {
  let server: FakeOpenAIServer;
  beforeEach(async () => {
    server = new FakeOpenAIServer();
    await server.start();
  });
  afterEach(() => server.close());

  it('lists the ids the server serves, sending the key as a bearer token', async () => {
    server.models = ['qwen2.5:7b', 'llama3.1:8b'];
    server.requiredKey = 'sk-test-1234';
    assert.deepEqual(await listServedModels(server.baseUrl, { apiKey: 'sk-test-1234' }), ['qwen2.5:7b', 'llama3.1:8b']);
    assert.equal(server.requests[0].authorization, 'Bearer sk-test-1234');
  });

  it('sends no Authorization header without a key', async () => {
    server.models = ['m'];
    await listServedModels(server.baseUrl);
    assert.equal(server.requests[0].authorization, undefined);
  });

  it('a 401 is AUTH, naming the server', async () => {
    server.models = ['m'];
    server.requiredKey = 'sk-right-key';
    const e = await code(listServedModels(server.baseUrl, { apiKey: 'sk-wrong-key' }));
    assert.equal(e.code, 'AUTH');
    assert.match(e.message, /127\.0\.0\.1:\d+\/v1.*401/);
    assert.doesNotMatch(e.message, /sk-wrong-key/);
  });

  it('a server without /models is NOT_OPENAI', async () => {
    const e = await code(listServedModels(server.baseUrl));
    assert.equal(e.code, 'NOT_OPENAI');
  });

  it('nothing listening is UNREACHABLE, and a URL password never shows', async () => {
    const port = await closedPort();
    const e = await code(listServedModels(`http://user:hunter2secret@127.0.0.1:${port}/v1`));
    assert.equal(e.code, 'UNREACHABLE');
    assert.match(e.message, /\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(e.message, /hunter2secret/);
  });

  it('a server that never answers is a TIMEOUT within the deadline', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const start = Date.now();
      const e = await code(listServedModels(`http://127.0.0.1:${port}/v1`, { timeoutMs: 300 }));
      assert.equal(e.code, 'TIMEOUT');
      assert.ok(Date.now() - start < 5000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('a JSON answer without a data list is NOT_OPENAI', async () => {
    const other = http.createServer((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const { port } = other.address() as AddressInfo;
      assert.equal((await code(listServedModels(`http://127.0.0.1:${port}/v1`))).code, 'NOT_OPENAI');
    } finally {
      other.close();
    }
  });

  it('probeServers keeps only the presets that answer', async () => {
    server.models = ['served-one'];
    const port = await closedPort();
    const found = await probeServers(
      [
        { name: 'Down', url: `http://127.0.0.1:${port}/v1` },
        { name: 'Up', url: server.baseUrl },
      ],
      1000,
    );
    assert.deepEqual(
      found.map((f) => [f.preset.name, f.models]),
      [['Up', ['served-one']]],
    );
  });
});
