// The engine with the real node-llama-cpp on a generated random-weight model, 1 thread. Outputs differ
// across machines and thread counts, so these tests check structure and within-run determinism only.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, EngineError, type LoadProgress, type GenerateResult } from '../../src/core/engine';
import { TEST_MODEL_NAME } from '../../src/core/engine';
import { TooLongError, tooLongOf } from '../../src/core/errors';
import { testEngineOptions, testModel, testModels, type TestModelPaths } from '../unit/helpers/test-models';
import { caEnv, testCert } from '../unit/helpers/tls';

const SYSTEM_A = 'You are a careful editor. Rewrite the text so it reads as formal, precise prose. '.repeat(8);
const SYSTEM_B = 'You rewrite text to be short and casual.';

async function rejectsWith(
  p: Promise<unknown>,
  code: EngineError['code'],
  includes: string[] = [],
): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const s of includes) assert.ok(err.message.includes(s), `"${err.message}" should mention ${s}`);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

function checkStats(r: GenerateResult): void {
  assert.ok(r.promptTokens > 0);
  assert.ok(r.reusedPromptTokens >= 0 && r.reusedPromptTokens < r.promptTokens);
  assert.equal(r.restoredPromptTokens, 0, 'the prompt cache is off unless asked for');
  assert.ok(r.outputTokens >= 0);
  assert.ok(r.totalMs >= r.timeToFirstTokenMs && r.timeToFirstTokenMs >= 0);
  assert.ok(r.tokensPerSecond >= 0);
}

describe('EngineClient (node-llama-cpp in a child process)', function () {
  this.timeout(60_000);
  let models: TestModelPaths;
  let engine: EngineClient;
  let downloads: string;

  // A loopback https model server (downloads are https only) with Range support; it can drop one connection mid-body,
  // and it also
  // answers Hugging Face style paths so hf: URIs can be tested through HF_ENDPOINT.
  const CUT_AFTER = 6 * 1024 * 1024; // past the downloader's first 5 MiB chunk, so there is something to resume
  let server: https.Server;
  let base: string;
  let bytes: Buffer;
  const log: string[] = [];
  let cutNext = false;
  let cuts = 0;
  let cutStart = -1;
  const starts: number[] = [];

  async function startServer(): Promise<void> {
    // Big enough (~22 MB) for the downloader to track progress in several chunks.
    bytes = readFileSync(await testModel({ layers: 4, embd: 512, heads: 8, ff: 1024, seed: 7 }));
    server = https.createServer({ key: testCert().key, cert: testCert().cert }, (req, res) => {
      log.push(`${req.method} ${req.url} ${req.headers.range ?? '-'}`);
      const ok =
        req.url?.startsWith('/models/model.gguf') || req.url?.startsWith('/test-org/test-repo/resolve/main/model.gguf');
      if (!ok) {
        res.writeHead(404).end('not found');
        return;
      }
      const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const end = m && m[2] ? Number(m[2]) : bytes.length - 1;
      if (m) starts.push(start);
      res.writeHead(m ? 206 : 200, {
        'Content-Type': 'application/octet-stream',
        'Accept-Ranges': 'bytes',
        'Content-Length': end - start + 1,
        ...(m ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if (cutNext && m && end - start > CUT_AFTER) {
        cutNext = false;
        cuts++;
        cutStart = start;
        // Send part of the body, then drop the connection, as a flaky network would.
        res.write(bytes.subarray(start, start + CUT_AFTER), () => res.destroy());
        return;
      }
      res.end(bytes.subarray(start, end + 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    models = await testModels();
    downloads = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-dl-'));
    await startServer();
    // One engine process for the whole file: each start costs seconds on a loaded 2-core box.
    engine = new EngineClient(testEngineOptions({ modelsDirectory: downloads, env: caEnv() }));
  });
  after(async () => {
    await engine?.dispose();
    server?.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('loads a model by path and reports it', async () => {
    const progress: LoadProgress[] = [];
    const info = await engine.load(models.tiny, { onProgress: (p) => progress.push(p) });
    assert.equal(info.name, TEST_MODEL_NAME);
    assert.equal(info.file, models.tiny);
    assert.equal(info.sizeBytes, statSync(models.tiny).size);
    assert.equal(info.architecture, 'llama');
    assert.equal(info.trainedContextSize, 4096);
    assert.equal(info.cptTuned, false);
    assert.ok(typeof engine.pid === 'number');
    const ei = await engine.info();
    assert.equal(ei.backend, 'cpu');
    assert.equal(ei.threads, 1);
    assert.equal(ei.contextSize, 1024);
    assert.equal(ei.gpuLayers, 0);
    assert.ok(ei.totalLayers >= 2);
    assert.equal(ei.model?.file, models.tiny);
  });

  it('streams chunks that join to the result, deterministically at temperature 0', async () => {
    const chunks: string[] = [];
    const a = await engine.generate({
      system: SYSTEM_A,
      user: 'Rewrite: the cat sat on the mat.',
      maxTokens: 24,
      temperature: 0,
      onToken: (t) => chunks.push(t),
    });
    assert.ok(a.text.length > 0);
    assert.ok(chunks.length > 0);
    assert.equal(chunks.join(''), a.text);
    checkStats(a);
    assert.ok(a.outputTokens > 0);
    const b = await engine.generate({
      system: SYSTEM_A,
      user: 'Rewrite: the cat sat on the mat.',
      maxTokens: 24,
      temperature: 0,
    });
    assert.equal(b.text, a.text);
    assert.equal(b.outputTokens, a.outputTokens);
  });

  it('runs overlapping rewrites one after the other, each with its own stream', async () => {
    const chunksA: string[] = [];
    const chunksB: string[] = [];
    const [a, b] = await Promise.all([
      engine.generate({
        system: SYSTEM_A,
        user: 'One.',
        maxTokens: 12,
        temperature: 0,
        onToken: (t) => chunksA.push(t),
      }),
      engine.generate({
        system: SYSTEM_B,
        user: 'Two.',
        maxTokens: 12,
        temperature: 0,
        onToken: (t) => chunksB.push(t),
      }),
    ]);
    assert.equal(chunksA.join(''), a.text);
    assert.equal(chunksB.join(''), b.text);
    const again = await engine.generate({ system: SYSTEM_B, user: 'Two.', maxTokens: 12, temperature: 0 });
    assert.equal(again.text, b.text);
  });

  it('constrains the output to a JSON schema, so even a random-weight model writes JSON that parses', async () => {
    const schema = {
      type: 'object',
      properties: {
        verdict: { type: 'string', enum: ['yes', 'no'] },
        score: { type: 'integer', enum: [0, 25, 50, 75, 100] },
      },
      required: ['verdict', 'score'],
    };
    for (const seed of [1, 2, 3]) {
      const r = await engine.generate({
        system: SYSTEM_B,
        user: 'Answer in JSON.',
        maxTokens: 64,
        temperature: 1,
        seed,
        jsonSchema: schema,
      });
      assert.equal(r.stopReason, 'eos', `seed ${seed}: ${r.text}`);
      const parsed = JSON.parse(r.text) as { verdict: string; score: number };
      assert.ok(['yes', 'no'].includes(parsed.verdict), r.text);
      assert.ok([0, 25, 50, 75, 100].includes(parsed.score), r.text);
    }
  });

  it('respects maxTokens', async () => {
    const r = await engine.generate({
      system: SYSTEM_B,
      user: 'Some text to rewrite here.',
      maxTokens: 5,
      temperature: 0,
    });
    assert.ok(r.outputTokens <= 5, `outputTokens ${r.outputTokens}`);
    assert.equal(r.stopReason, 'maxTokens');
  });

  it('refuses a prompt longer than the context with a TooLongError carrying its numbers across the IPC', async () => {
    const err = await engine
      .generate({ system: SYSTEM_B, user: 'The quick brown fox jumps. '.repeat(400), maxTokens: 5, temperature: 0 })
      .then(
        () => assert.fail('a prompt longer than the context was accepted'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof TooLongError, `expected TooLongError, got ${String(err)}`);
    assert.equal(err.code, 'TOO_LONG');
    assert.equal(err.contextSize, 1024);
    assert.ok(err.tokens >= 1023, `tokens ${err.tokens}`);
    assert.deepEqual(tooLongOf(err), { tokens: err.tokens, contextSize: 1024 });
    // The message a writer reads is the engine's own, word for word.
    assert.equal(
      err.message,
      `The prompt is too long for the context: ${err.tokens} tokens, context size 1024. ` +
        'Select less text or use a larger context size (cptWriter.contextSize, --context-size).',
    );
    // The engine is still usable afterwards.
    const r = await engine.generate({ system: SYSTEM_B, user: 'Short.', maxTokens: 2, temperature: 0 });
    assert.ok(r.outputTokens <= 2);
  });

  it('reuses the evaluated system prompt prefix, and prewarm evaluates it ahead', async () => {
    await engine.generate({ system: SYSTEM_A, user: 'First text.', maxTokens: 4, temperature: 0 });
    const same = await engine.generate({
      system: SYSTEM_A,
      user: 'A second, different text.',
      maxTokens: 4,
      temperature: 0,
    });
    const other = await engine.generate({
      system: SYSTEM_B,
      user: 'A second, different text.',
      maxTokens: 4,
      temperature: 0,
    });
    // prewarm reports the system prefix length (template + system prompt) it made resident.
    const warm = await engine.prewarm(SYSTEM_A);
    assert.ok(warm.tokens > 100, `system prefix of ${warm.tokens} tokens`);
    assert.ok(same.reusedPromptTokens >= warm.tokens, `reused ${same.reusedPromptTokens} < prefix ${warm.tokens}`);
    assert.ok(other.reusedPromptTokens < same.reusedPromptTokens);
    assert.ok(other.reusedPromptTokens < 20, `a different system prompt reused ${other.reusedPromptTokens}`);
    const after = await engine.generate({ system: SYSTEM_A, user: 'Third text.', maxTokens: 4, temperature: 0 });
    assert.ok(after.reusedPromptTokens >= warm.tokens);
    checkStats(after);
    // Prewarming what is already resident costs (almost) nothing and keeps it.
    const again = await engine.prewarm(SYSTEM_A);
    assert.equal(again.tokens, warm.tokens);
  });

  it('prewarm with a user prefix also makes the shared start of the user message resident', async () => {
    const instruction = 'Rewrite the text between the tags below in a plainer style.\n<text>\n';
    const plain = await engine.prewarm(SYSTEM_B);
    const withUser = await engine.prewarm(SYSTEM_B, { userPrefix: instruction });
    assert.ok(
      withUser.tokens > plain.tokens + 10,
      `${withUser.tokens} tokens with the prefix vs ${plain.tokens} without`,
    );
    const r = await engine.generate({
      system: SYSTEM_B,
      user: `${instruction}Some new text.\n</text>`,
      maxTokens: 4,
      temperature: 0,
    });
    assert.ok(r.reusedPromptTokens >= withUser.tokens, `reused ${r.reusedPromptTokens} < prewarmed ${withUser.tokens}`);
  });

  it('cancels mid-stream: resolves with the partial text and stopReason aborted', async () => {
    const ac = new AbortController();
    const chunks: string[] = [];
    const r = await engine.generate({
      system: SYSTEM_B,
      user: 'Write a long text.',
      maxTokens: 400,
      temperature: 0,
      signal: ac.signal,
      onToken: (t) => {
        chunks.push(t);
        if (chunks.length === 3) ac.abort();
      },
    });
    assert.equal(r.stopReason, 'aborted');
    assert.ok(r.outputTokens < 400);
    assert.ok(r.text.length > 0);
    assert.ok(r.text.startsWith(chunks.slice(0, 3).join('')));
    // A cancel that arrives while the prompt is still being evaluated resolves too, with nothing written.
    const early = new AbortController();
    const long = `${SYSTEM_A} A different opening. `.repeat(2);
    const pending = engine.generate({
      system: long,
      user: 'Cancelled early.',
      maxTokens: 400,
      temperature: 0,
      signal: early.signal,
    });
    early.abort();
    const e = await pending;
    assert.equal(e.stopReason, 'aborted');
    assert.ok(e.outputTokens < 400);
    // An already aborted signal resolves at once, without generating.
    const t0 = Date.now();
    const pre = await engine.generate({ system: SYSTEM_B, user: 'x', signal: AbortSignal.abort() });
    assert.equal(pre.stopReason, 'aborted');
    assert.equal(pre.text, '');
    assert.ok(Date.now() - t0 < 100);
  });

  it('reports a killed engine as ENGINE_CRASHED, then restarts and reloads the model', async () => {
    const crashes: string[] = [];
    const sub = engine.onCrash((reason) => crashes.push(reason));
    const pid = engine.pid;
    assert.ok(pid);
    let killed = false;
    await rejectsWith(
      engine.generate({
        system: SYSTEM_B,
        user: 'Write a long text.',
        maxTokens: 400,
        temperature: 0,
        onToken: () => {
          if (!killed) {
            killed = true;
            process.kill(pid, 'SIGKILL');
          }
        },
      }),
      'ENGINE_CRASHED',
    );
    assert.equal(crashes.length, 1);
    sub.dispose();
    const r = await engine.generate({ system: SYSTEM_B, user: 'Back again.', maxTokens: 4, temperature: 0 });
    assert.ok(r.text.length > 0);
    assert.notEqual(engine.pid, pid);
    assert.equal((await engine.info()).model?.file, models.tiny);
  });

  it('says so when the engine process file is missing', async () => {
    const broken = new EngineClient(
      testEngineOptions({ processEntry: path.join(os.tmpdir(), 'no-such-engine-process.js') }),
    );
    await rejectsWith(broken.load(models.tiny), 'INTERNAL', ['no-such-engine-process.js']);
    await broken.dispose();
  });

  it('fails clearly on a missing file and on a file that is not GGUF, keeping the loaded model', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'missing-model.gguf');
    await rejectsWith(engine.load(missing), 'MODEL_NOT_FOUND', [missing]);
    await rejectsWith(engine.load(models.notGguf), 'NOT_GGUF', [models.notGguf]);
    const r = await engine.generate({ system: SYSTEM_B, user: 'Still here.', maxTokens: 3, temperature: 0 });
    assert.ok(r.outputTokens > 0);
  });

  describe('downloads from a loopback server', () => {
    it('downloads a URL into modelsDirectory with progress, resuming after a cut connection', async () => {
      const url = `${base}/models/model.gguf`;
      cutNext = true;
      const progress: LoadProgress[] = [];
      let info;
      try {
        info = await engine.load(url, { onProgress: (p) => progress.push(p) });
      } catch (err) {
        // The downloader may give up on the cut connection; then the next load must resume it.
        assert.ok(err instanceof EngineError && err.code === 'DOWNLOAD_FAILED', String(err));
        info = await engine.load(url, { onProgress: (p) => progress.push(p) });
      }
      assert.equal(cuts, 1, log.join('\n'));
      assert.equal(path.dirname(info.file), downloads);
      assert.ok(readFileSync(info.file).equals(bytes), 'downloaded bytes differ');
      assert.ok(progress.some((p) => p.phase === 'download' && p.totalBytes === bytes.length));
      // Resumed, not restarted: after the cut, the stream went on from inside what it had already received.
      const after = starts.slice(starts.indexOf(cutStart) + 1);
      assert.ok(!after.includes(cutStart), `restarted at ${cutStart}:\n${log.join('\n')}`);
      assert.ok(
        after.some((s) => s > cutStart && s <= cutStart + CUT_AFTER),
        `no resumed range:\n${log.join('\n')}`,
      );
      const r = await engine.generate({ system: SYSTEM_B, user: 'Downloaded.', maxTokens: 3, temperature: 0 });
      assert.ok(r.outputTokens > 0);
      // Loading it again uses the file on disk without fetching it again.
      const n = log.length;
      await engine.load(url);
      assert.deepEqual(log.slice(n), []);
    });

    it('reports an HTTP 404 with the URL and status', async () => {
      const url = `${base}/models/nope.gguf`;
      await rejectsWith(engine.load(url), 'DOWNLOAD_FAILED', [url, '404']);
    });
  });

  describe('a second engine: CUDA asked for, models from a Hugging Face endpoint', () => {
    let second: EngineClient;
    before(() => {
      // node-llama-cpp treats every URL on the endpoint's host as Hugging Face, so this engine gets its own.
      second = new EngineClient(
        testEngineOptions({
          gpu: 'cuda',
          gpuLayers: 'auto',
          modelsDirectory: downloads,
          env: { HF_ENDPOINT: `${base}/`, ...caEnv() },
        }),
      );
    });
    after(async () => {
      await second?.dispose();
    });

    it('downloads an hf: URI through the Hugging Face endpoint', async () => {
      const info = await second.load('hf:test-org/test-repo/model.gguf');
      assert.equal(path.dirname(info.file), downloads);
      assert.ok(readFileSync(info.file).equals(bytes));
      assert.ok(
        log.some((l) => l.includes('/test-org/test-repo/resolve/main/model.gguf')),
        log.join('\n'),
      );
    });

    it('falls back to the CPU when the GPU asked for has no binary here, and says why', async () => {
      const info = await second.info();
      if (info.backend === 'cpu') {
        assert.equal(info.gpuLayers, 0);
        assert.ok(info.gpuFallback && /cuda/i.test(info.gpuFallback), info.gpuFallback);
      } else {
        // On a machine with a working CUDA setup the request is simply honoured.
        assert.equal(info.backend, 'cuda');
        assert.equal(info.gpuFallback, undefined);
      }
      const r = await second.generate({ system: SYSTEM_B, user: 'On the fallback.', maxTokens: 3, temperature: 0 });
      assert.ok(r.outputTokens > 0);
    });

    it('ends its process on dispose, and refuses calls afterwards', async () => {
      const pid = second.pid;
      assert.ok(pid);
      const crashes: string[] = [];
      second.onCrash((r) => crashes.push(r));
      await second.dispose();
      assert.throws(() => process.kill(pid, 0), /ESRCH/);
      assert.deepEqual(crashes, [], 'a requested shutdown is not a crash');
      await assert.rejects(second.info(), EngineError);
    });
  });
});
