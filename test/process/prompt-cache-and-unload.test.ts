// The persistent prompt cache and unload with the real node-llama-cpp on a generated model, 1 thread:
// each "fresh engine" is a new engine process, as after an editor restart or a CLI run.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EngineClient,
  type EngineClientOptions,
  type GenerateRequest,
  type GenerateResult,
} from '../../src/core/engine';
import type { Logger } from '../../src/core/log';
import { writeTestModel } from '../../src/core/testmodel';
import { testEngineOptions, testModels } from '../unit/helpers/test-models';

const SYSTEM = 'You are a careful editor. Rewrite the text so it reads as formal, precise prose. '.repeat(8);
const INSTRUCTION = 'Rewrite the text between the tags in the style above.\n<text>\n';
const request = (text: string): GenerateRequest => ({
  system: SYSTEM,
  user: `${INSTRUCTION}${text}\n</text>`,
  userPrefix: INSTRUCTION,
  maxTokens: 16,
  temperature: 0,
});

/** A logger that keeps the lines, for the "with a log line" checks. */
function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (m: string) => {
    lines.push(`${level}: ${m}`);
  };
  return { lines, trace() {}, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

describe('prompt cache and unload (node-llama-cpp in a child process)', function () {
  this.timeout(120_000);
  let tiny: string;
  let root: string;

  /** Runs `fn` with a fresh engine process that has `model` loaded, then ends the process. */
  async function withEngine<T>(
    model: string,
    options: EngineClientOptions,
    fn: (e: EngineClient) => Promise<T>,
  ): Promise<T> {
    const engine = new EngineClient(testEngineOptions(options));
    try {
      await engine.load(model);
      return await fn(engine);
    } finally {
      await engine.dispose();
    }
  }
  const cacheIn = (directory: string, extra: Partial<EngineClientOptions['promptCache']> = {}) => ({
    promptCache: { enabled: true, directory, ...extra },
  });
  const entries = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.kv'))
      .sort();

  /** The output and stats of one rewrite in a fresh engine process with a cold (empty) cache in `dir`. */
  let cold: GenerateResult;
  let coldDir: string;

  before(async () => {
    ({ tiny } = await testModels());
    root = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-engine-cache-'));
    coldDir = path.join(root, 'cold');
    cold = await withEngine(tiny, cacheIn(coldDir), (e) => e.generate(request('the cat sat on the mat.')));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh engine restores the evaluated prefix and writes byte-identical output at temperature 0', async () => {
    assert.equal(cold.restoredPromptTokens, 0);
    assert.equal(cold.reusedPromptTokens, 0);
    // The cold run saved its system prompt and instruction (the prefix every rewrite in this style shares).
    assert.equal(entries(coldDir).length, 1);
    const dir = path.join(root, 'restore');
    cpSync(coldDir, dir, { recursive: true });
    const log = capture();
    const [warm, prefix] = await withEngine(
      tiny,
      { ...cacheIn(dir), logger: log },
      async (e) =>
        [
          await e.generate(request('the cat sat on the mat.')),
          await e.prewarm(SYSTEM, { userPrefix: INSTRUCTION }),
        ] as const,
    );
    assert.equal(warm.text, cold.text);
    assert.equal(warm.outputTokens, cold.outputTokens);
    assert.equal(warm.promptTokens, cold.promptTokens);
    // Restored: the system prompt and the instruction, exactly what a prewarm of this style evaluates.
    assert.equal(warm.restoredPromptTokens, prefix.tokens);
    assert.ok(prefix.tokens > 400, `${prefix.tokens} tokens`);
    assert.equal(warm.reusedPromptTokens, warm.restoredPromptTokens);
    assert.ok(
      log.lines.some((l) => /^info: llama: prompt cache: restored \d+ prompt tokens from /.test(l)),
      log.lines.join('\n'),
    );
    // Another text in the same style restores the same prefix; with the cache off, the output is the same.
    const other = request('a dog ran in the park.');
    const [restored, off] = [
      await withEngine(tiny, cacheIn(dir), (e) => e.generate(other)),
      await withEngine(tiny, {}, (e) => e.generate(other)),
    ];
    assert.equal(restored.restoredPromptTokens, warm.restoredPromptTokens);
    assert.equal(restored.text, off.text);
    assert.equal(off.restoredPromptTokens, 0);
    assert.equal(entries(dir).length, 1, 'no entry per text: only the shared prefix is kept');
  });

  it('prewarm in a fresh engine restores what an earlier prewarm saved, and generate then reuses it', async () => {
    const dir = path.join(root, 'prewarm');
    const first = await withEngine(tiny, cacheIn(dir), (e) => e.prewarm(SYSTEM, { userPrefix: INSTRUCTION }));
    assert.equal(first.restoredTokens, 0);
    await withEngine(tiny, cacheIn(dir), async (e) => {
      const again = await e.prewarm(SYSTEM, { userPrefix: INSTRUCTION });
      assert.equal(again.tokens, first.tokens);
      assert.equal(again.restoredTokens, again.tokens);
      const r = await e.generate(request('the cat sat on the mat.'));
      assert.equal(r.restoredPromptTokens, 0, 'already resident: nothing more to restore');
      assert.ok(r.reusedPromptTokens >= again.tokens);
      assert.equal(r.text, cold.text);
    });
  });

  describe('a damaged or stale cache is ignored and removed, and the prompt is evaluated cold', () => {
    const damaged = async (
      name: string,
      damage: (dir: string) => void,
      why: RegExp,
      options: EngineClientOptions = {},
    ) => {
      const dir = path.join(root, name);
      cpSync(coldDir, dir, { recursive: true });
      damage(dir);
      const log = capture();
      const r = await withEngine(tiny, { ...cacheIn(dir), ...options, logger: log }, (e) =>
        e.generate(request('the cat sat on the mat.')),
      );
      assert.equal(r.restoredPromptTokens, 0);
      assert.equal(r.reusedPromptTokens, 0);
      assert.equal(r.text, cold.text);
      const line = log.lines.find((l) => l.startsWith('warn: llama: prompt cache: ignored and removed'));
      assert.ok(line && why.test(line), log.lines.join('\n'));
      return { dir, log };
    };
    const kv = (dir: string) => path.join(dir, entries(dir)[0]);

    it('flipped bytes in the saved state', async () => {
      const { dir } = await damaged(
        'flipped',
        (d) => {
          const b = readFileSync(kv(d));
          for (let i = 64; i < b.length; i += Math.floor(b.length / 7)) b[i] ^= 0x5a;
          writeFileSync(kv(d), b);
        },
        /checksum \(corrupt\)/,
      );
      // Evaluated cold, then saved again: the next fresh engine restores the good copy.
      assert.equal(entries(dir).length, 1);
      const again = await withEngine(tiny, cacheIn(dir), (e) => e.generate(request('the cat sat on the mat.')));
      assert.ok((again.restoredPromptTokens ?? 0) > 0);
      assert.equal(again.text, cold.text);
    });

    it('a truncated state', async () => {
      await damaged('truncated', (d) => truncateSync(kv(d), Math.floor(readFileSync(kv(d)).length / 2)), /truncated/);
    });

    it("a state saved with another context size, found under this one's name", async () => {
      // The 2048-token engine's own entry, overwritten with the 1024-token one's files.
      const dir = path.join(root, 'ctx-2048');
      await withEngine(tiny, { ...cacheIn(dir), contextSize: 2048 }, (e) =>
        e.generate(request('the cat sat on the mat.')),
      );
      const [own] = entries(dir);
      const [small] = entries(coldDir);
      assert.notEqual(own, small, 'the context size is part of the key');
      await damaged(
        'ctx-swap',
        (d) => {
          for (const f of readdirSync(d)) rmSync(path.join(d, f));
          for (const ext of ['.kv', '.json'])
            copyFileSync(path.join(coldDir, small.replace('.kv', ext)), path.join(d, own.replace('.kv', ext)));
        },
        /saved for other settings \(contextSize 1024, now 2048\)/,
        { contextSize: 2048 },
      );
    });

    it('a changed model file at the same path', async () => {
      const dir = path.join(root, 'changed-model');
      const model = path.join(root, 'model.gguf');
      copyFileSync(tiny, model);
      const before = await withEngine(model, cacheIn(dir), (e) => e.generate(request('the cat sat on the mat.')));
      assert.equal(entries(dir).length, 1);
      await writeTestModel(model, { seed: 43 });
      const log = capture();
      const after = await withEngine(model, { ...cacheIn(dir), logger: log }, (e) =>
        e.generate(request('the cat sat on the mat.')),
      );
      assert.equal(after.restoredPromptTokens, 0);
      assert.ok(
        log.lines.some((l) => l.includes(`removed 1 saved prompt state(s) of ${model}: the model file changed`)),
        log.lines.join('\n'),
      );
      const offAfter = await withEngine(model, {}, (e) => e.generate(request('the cat sat on the mat.')));
      assert.equal(after.text, offAfter.text);
      assert.notEqual(after.text, before.text, 'another model writes other text');
      assert.equal(entries(dir).length, 1, "only the new model's entry is left");
    });
  });

  it('holds its size cap with real prompt states', async () => {
    const dir = path.join(root, 'lru');
    // Four prefixes of the same length; a 0.4 MiB cap holds the states of two of them for this model.
    const systems = [1, 2, 3, 4].map(
      (i) => `Style number ${i}. ${'Write in a plain, direct register with short sentences. '.repeat(5)}`,
    );
    const cap = 0.4;
    await withEngine(tiny, cacheIn(dir, { maxMB: cap }), async (e) => {
      for (const s of systems) await e.prewarm(s, { userPrefix: INSTRUCTION });
    });
    const sizes = readdirSync(dir).map((f) => readFileSync(path.join(dir, f)).length);
    assert.ok(sizes.reduce((a, b) => a + b, 0) <= cap * 1024 * 1024, `${sizes.join('+')} bytes over ${cap} MiB`);
    assert.equal(entries(dir).length, 2);
    await withEngine(tiny, cacheIn(dir, { maxMB: cap }), async (e) => {
      // Newest first: each prewarm that misses saves its prefix and evicts in turn.
      const restored = [];
      for (const s of [...systems].reverse())
        restored.push((await e.prewarm(s, { userPrefix: INSTRUCTION })).restoredTokens > 0);
      assert.deepEqual(restored, [true, true, false, false], 'the two most recently used were kept');
    });
  });

  describe('unload', () => {
    it('frees the model, keeps the process, and the next rewrite loads it again by itself', async () => {
      const dir = path.join(root, 'unload');
      cpSync(coldDir, dir, { recursive: true });
      const log = capture();
      const engine = new EngineClient(testEngineOptions({ ...cacheIn(dir), logger: log }));
      try {
        assert.equal(await engine.unload(), false, 'nothing loaded, nothing started');
        assert.equal(engine.pid, undefined);
        await engine.load(tiny);
        const pid = engine.pid;
        assert.ok(engine.isLoaded);
        assert.equal(await engine.unload(), true);
        assert.equal(engine.isLoaded, false);
        const info = await engine.info();
        assert.equal(info.model, undefined);
        assert.equal(info.contextSize, 0);
        assert.equal(engine.pid, pid, 'info after unload does not load the model again');
        const r = await engine.generate(request('the cat sat on the mat.'));
        assert.equal(r.text, cold.text);
        assert.ok(
          (r.restoredPromptTokens ?? 0) > 0,
          `the prompt cache makes the reload cheap; engine log:\n${log.lines.join('\n')}`,
        );
        assert.equal(engine.pid, pid, 'same process');
        assert.ok(engine.isLoaded);
        assert.equal((await engine.info()).model?.file, tiny);
        assert.ok(
          log.lines.some((l) => l.includes(`loading ${tiny} again after it was unloaded`)),
          log.lines.join('\n'),
        );
        // Prewarm after unload reloads too, and overlapping calls share one reload.
        await engine.unload();
        const [a, b] = await Promise.all([engine.prewarm(SYSTEM), engine.generate(request('x'))]);
        assert.ok(a.tokens > 0 && b.outputTokens > 0);
        assert.equal(log.lines.filter((l) => l.includes('again after it was unloaded')).length, 2);
      } finally {
        await engine.dispose();
      }
    });

    it('after a crash of an unloaded engine, the fresh process stays unloaded until a rewrite', async () => {
      const engine = new EngineClient(testEngineOptions());
      try {
        await engine.load(tiny);
        await engine.unload();
        const pid = engine.pid as number;
        const crashed = new Promise<void>((resolve) => {
          const sub = engine.onCrash(() => {
            sub.dispose();
            resolve();
          });
        });
        process.kill(pid, 'SIGKILL');
        await crashed;
        assert.equal((await engine.info()).model, undefined);
        const r = await engine.generate({ system: 'Short.', user: 'Hi.', maxTokens: 3, temperature: 0 });
        assert.ok(r.outputTokens > 0);
        assert.equal((await engine.info()).model?.file, tiny);
      } finally {
        await engine.dispose();
      }
    });
  });
});
