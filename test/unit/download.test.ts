// Model downloads against loopback servers the test starts (never the network): https only, redirects to
// http refused, #sha256= pins verified after download and for files already on disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineClient, EngineError } from '../../src/core/engine';
import { httpsOnlyFetch } from '../../src/core/engine/https-only-fetch';
import { fileSha256, hashCacheDirectory } from '../../src/core/engine/integrity';
import { testEngineOptions, testModels } from './helpers/test-models';
import { caEnv, testCert } from './helpers/tls';

async function rejectsWith(p: Promise<unknown>, code: EngineError['code'], re: RegExp): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return err.message;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('model downloads (https only, SHA-256 pins)', function () {
  this.timeout(60_000);
  let engine: EngineClient;
  let downloads: string;
  let bytes: Buffer;
  let tiny: string;
  let httpsServer: https.Server;
  let httpServer: http.Server;
  let httpsBase: string;
  let httpBase: string;
  const httpsLog: string[] = [];
  const httpLog: string[] = [];

  function serveModel(req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Number(m[2]) : bytes.length - 1;
    res.writeHead(m ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'Content-Length': end - start + 1,
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  }

  before(async () => {
    tiny = (await testModels()).tiny;
    bytes = readFileSync(tiny);
    downloads = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-dl-pin-'));
    httpServer = http.createServer((req, res) => {
      httpLog.push(`${req.method} ${req.url}`);
      serveModel(req, res);
    });
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    httpBase = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    httpsServer = https.createServer({ key: testCert().key, cert: testCert().cert }, (req, res) => {
      httpsLog.push(`${req.method} ${req.url}`);
      const url = req.url ?? '';
      // /to-http/NAME redirects to the plain http server; /hop/NAME to /models/NAME on this server.
      if (url.startsWith('/to-http/')) {
        res.writeHead(302, { Location: `${httpBase}/models/${url.slice('/to-http/'.length)}` }).end();
        return;
      }
      if (url.startsWith('/hop/')) {
        res.writeHead(301, { Location: `/models/${url.slice('/hop/'.length)}` }).end();
        return;
      }
      if (!url.startsWith('/models/')) {
        res.writeHead(404).end('not found');
        return;
      }
      serveModel(req, res);
    });
    await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
    httpsBase = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}`;
    engine = new EngineClient(testEngineOptions({ modelsDirectory: downloads, env: caEnv() }));
  });
  after(async () => {
    await engine?.dispose();
    httpServer?.close();
    httpsServer?.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('refuses a plain http: URL before any request, naming https', async () => {
    await rejectsWith(engine.load(`${httpBase}/models/plain.gguf`), 'DOWNLOAD_FAILED', /use an https:\/\/ URL/);
    assert.deepEqual(httpLog, []);
  });

  it('refuses an https→http redirect: nothing is fetched over http and nothing is kept', async () => {
    const msg = await rejectsWith(
      engine.load(`${httpsBase}/to-http/redirected.gguf`),
      'DOWNLOAD_FAILED',
      /redirected the download to http:.*refused/,
    );
    assert.match(msg, /to-http\/redirected\.gguf/);
    assert.deepEqual(httpLog, []);
    assert.ok(
      httpsLog.some((l) => l.includes('/to-http/redirected.gguf')),
      httpsLog.join('\n'),
    );
    assert.ok(!readdirSync(downloads).some((f) => f.startsWith('redirected')), readdirSync(downloads).join(', '));
  });

  it('follows an https→https redirect and loads a download whose SHA-256 matches its pin', async () => {
    const info = await engine.load(`${httpsBase}/hop/pinned.gguf#sha256=${sha(bytes)}`);
    assert.equal(info.file, path.join(downloads, 'pinned.gguf'));
    assert.ok(readFileSync(info.file).equals(bytes));
    assert.ok(
      httpsLog.some((l) => l.startsWith('GET /models/pinned.gguf')),
      httpsLog.join('\n'),
    );
    // The verified hash is remembered, so the next load does not read the whole file again.
    const cached = await fileSha256(info.file, hashCacheDirectory(downloads));
    assert.deepEqual(cached, { sha256: sha(bytes), fromCache: true });
    // Loading it again uses the file on disk: no request at all.
    const n = httpsLog.length;
    await engine.load(`${httpsBase}/hop/pinned.gguf#sha256=${sha(bytes)}`);
    assert.deepEqual(httpsLog.slice(n), []);
  });

  it('refuses a download whose SHA-256 differs from its pin, and deletes it', async () => {
    const wrong = 'f'.repeat(64);
    const msg = await rejectsWith(
      engine.load(`${httpsBase}/models/tampered.gguf#sha256=${wrong}`),
      'DOWNLOAD_FAILED',
      /SHA-256 .* not the f{64} .*deleted and not loaded/,
    );
    assert.ok(msg.includes(sha(bytes)), msg);
    assert.ok(!existsSync(path.join(downloads, 'tampered.gguf')), 'the bad file was kept');
    // Not loaded: the engine still has the model it had before.
    assert.equal((await engine.info()).model?.file, path.join(downloads, 'pinned.gguf'));
  });

  it('checks a pin against a file downloaded earlier, deleting it on a mismatch', async () => {
    await engine.load(`${httpsBase}/models/earlier.gguf`);
    const file = path.join(downloads, 'earlier.gguf');
    assert.ok(existsSync(file));
    await rejectsWith(
      engine.load(`${httpsBase}/models/earlier.gguf#sha256=${'0'.repeat(64)}`),
      'DOWNLOAD_FAILED',
      /deleted and not loaded/,
    );
    assert.ok(!existsSync(file));
  });

  it('refuses an hf: URI whose Hugging Face endpoint is plain http, fetching nothing', async () => {
    const viaHttp = new EngineClient(
      testEngineOptions({ modelsDirectory: downloads, env: { ...caEnv(), HF_ENDPOINT: `${httpBase}/` } }),
    );
    try {
      await rejectsWith(
        viaHttp.load('hf:test-org/test-repo/model.gguf'),
        'DOWNLOAD_FAILED',
        /refused: Downloads go over https: only; refused http: request to 127\.0\.0\.1/,
      );
      assert.deepEqual(httpLog, []);
    } finally {
      await viaHttp.dispose();
    }
  });

  describe('local files', () => {
    let dir: string;
    let odd: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-local-'));
      odd = path.join(dir, 'my models ✓', 'naïve #1 100%.gguf');
      mkdirSync(path.dirname(odd));
      copyFileSync(tiny, odd);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('loads a percent-escaped file: URL (spaces, non-ASCII, %23, %25) as the file it names', async () => {
      const url = pathToFileURL(odd).href;
      assert.match(url, /%20.*%E2%9C%93.*%23.*%25/);
      const info = await engine.load(url);
      assert.equal(info.file, odd);
    });

    it('verifies a pin on a local file: a match loads, a mismatch is refused and the file left alone', async () => {
      const url = pathToFileURL(odd).href;
      const info = await engine.load(`${url}#sha256=${sha(bytes)}`);
      assert.equal(info.file, odd);
      const before = statSync(odd);
      await rejectsWith(
        engine.load(`${odd}#sha256=${'1'.repeat(64)}`),
        'MODEL_LOAD_FAILED',
        /not loaded \(the file is left as it is\)/,
      );
      assert.equal(statSync(odd).mtimeMs, before.mtimeMs);
      assert.ok(readFileSync(odd).equals(bytes));
    });
  });
});

describe('https-only fetch (the guard around the downloader)', () => {
  type Call = { url: string; headers: Headers; redirect?: RequestInit['redirect'] };
  function scripted(routes: Record<string, { status: number; location?: string }>): {
    fetch: typeof fetch;
    calls: Call[];
  } {
    const calls: Call[] = [];
    const f = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      calls.push({ url, headers: new Headers(init?.headers), redirect: init?.redirect });
      const r = routes[url] ?? { status: 200 };
      return new Response(r.status === 200 ? 'body' : null, {
        status: r.status,
        headers: r.location ? { location: r.location } : {},
      });
    };
    return { fetch: f as typeof fetch, calls };
  }

  it('follows https redirects itself, and drops Authorization when the origin changes', async () => {
    const s = scripted({
      'https://a.test/m': { status: 302, location: 'https://a.test/n' },
      'https://a.test/n': { status: 307, location: 'https://cdn.test/x' },
    });
    const g = httpsOnlyFetch(s.fetch);
    const res = await g.fetch('https://a.test/m', { headers: { authorization: 'Bearer t' } });
    assert.equal(res.status, 200);
    assert.deepEqual(
      s.calls.map((c) => c.url),
      ['https://a.test/m', 'https://a.test/n', 'https://cdn.test/x'],
    );
    assert.ok(s.calls.every((c) => c.redirect === 'manual'));
    assert.deepEqual(
      s.calls.map((c) => c.headers.get('authorization')),
      ['Bearer t', 'Bearer t', null],
    );
    assert.equal(g.refusal, undefined);
  });

  it('refuses a redirect to http: and any http: request with a client error, never fetching it', async () => {
    const s = scripted({ 'https://a.test/m': { status: 301, location: 'http://a.test/m' } });
    const g = httpsOnlyFetch(s.fetch);
    const res = await g.fetch('https://a.test/m');
    assert.equal(res.status, 403);
    assert.deepEqual(
      s.calls.map((c) => c.url),
      ['https://a.test/m'],
    );
    assert.match(g.refusal ?? '', /a\.test redirected the download to http:\/\/a\.test, which is not https/);
    const res2 = await httpsOnlyFetch(s.fetch).fetch('http://b.test/m');
    assert.equal(res2.status, 403);
    assert.equal(s.calls.length, 1);
  });

  it('gives up on a redirect loop', async () => {
    const s = scripted({ 'https://a.test/m': { status: 302, location: '/m' } });
    const g = httpsOnlyFetch(s.fetch);
    assert.equal((await g.fetch('https://a.test/m')).status, 403);
    assert.match(g.refusal ?? '', /More than 20 redirects/);
  });
});
