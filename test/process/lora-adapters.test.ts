// LoRA adapters in the engine, with the real node-llama-cpp on a generated model and adapters written by
// our own GGUF writer (1 thread). Greedy output is compared only within this run (see engine-client.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EngineClient,
  EngineError,
  type EngineClientOptions,
  type EngineInfo,
  type GenerateRequest,
} from '../../src/core/engine';
import { testEngineOptions, testLora, testModels, type TestModelPaths } from '../unit/helpers/test-models';

const REQUEST: GenerateRequest = {
  system: 'You are a careful editor. Rewrite the text so it reads as formal, precise prose.',
  user: 'Rewrite: the cat sat on the mat, and then it left the room.',
  maxTokens: 24,
  temperature: 0,
};

describe('LoRA adapters (node-llama-cpp in a child process)', function () {
  this.timeout(120_000);
  let models: TestModelPaths;
  let cacheDir: string;
  let base: { text: string; info: EngineInfo };
  let adapted: { text: string; info: EngineInfo };

  /** One rewrite in a fresh engine process with these options, and what info() said after the load. */
  async function run(options: EngineClientOptions): Promise<{ text: string; info: EngineInfo; restored: number }> {
    const engine = new EngineClient(testEngineOptions(options));
    try {
      await engine.load(models.tiny);
      const info = await engine.info();
      const r = await engine.generate(REQUEST);
      assert.ok(r.outputTokens > 0);
      return { text: r.text, info, restored: r.restoredPromptTokens ?? 0 };
    } finally {
      await engine.dispose();
    }
  }
  const cache = () => ({ promptCache: { enabled: true, directory: cacheDir } });

  before(async () => {
    models = await testModels();
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-lora-cache-'));
    base = await run(cache());
    adapted = await run({ lora: [{ path: models.tinyLora, scale: 1 }], ...cache() });
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('applies an adapter: the output at temperature 0 differs, and info lists it', () => {
    assert.notEqual(adapted.text, base.text);
    assert.deepEqual(adapted.info.adapters, [
      { path: models.tinyLora, scale: 1, name: 'CPT Writer random-weight test model LoRA r4' },
    ]);
    assert.deepEqual(base.info.adapters, []);
  });

  it('at scale 0 the adapter changes nothing', async () => {
    const zero = await run({ lora: [{ path: models.tinyLora, scale: 0 }] });
    assert.equal(zero.text, base.text);
    assert.deepEqual(
      zero.info.adapters?.map((a) => a.scale),
      [0],
    );
  });

  it('keys the prompt cache by the adapters: a state saved without them is not restored with them', async () => {
    // before() saved one entry without the adapter and one with it, for the same prompt.
    assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.kv')).length, 2);
    const again = await run({ lora: [{ path: models.tinyLora, scale: 1 }], ...cache() });
    assert.ok(again.restored > 0, 'its own entry is restored');
    assert.equal(again.text, adapted.text);
    const half = await run({ lora: [{ path: models.tinyLora, scale: 0.5 }], ...cache() });
    assert.equal(half.restored, 0, 'another scale is another key');
    assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.kv')).length, 3);
  });

  it('fails the load on a missing, foreign or non-adapter file, naming each adapter, the model and why', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'missing-lora.gguf');
    // A rank-4 adapter for a model of other widths: llama.cpp refuses its shapes.
    const foreign = await testLora(4, { embd: 32, heads: 2 });
    const engine = new EngineClient(
      testEngineOptions({
        lora: [
          { path: missing, scale: 1 },
          { path: foreign, scale: 1 },
          { path: models.tiny, scale: 1 },
          { path: models.notGguf, scale: 1 },
          { path: models.tinyLora, scale: 1 },
        ],
      }),
    );
    let failure: unknown;
    try {
      await engine.load(models.tiny).catch((e: unknown) => (failure = e));
    } finally {
      await engine.dispose();
    }
    assert.ok(failure instanceof EngineError, String(failure));
    assert.equal(failure.code, 'ADAPTER_FAILED');
    const said = (p: string) => failure instanceof EngineError && failure.message.includes(`LoRA adapter ${p} (`);
    const model = `cannot be applied to the model ${models.tiny}: `;
    assert.ok(said(missing) && said(foreign) && said(models.tiny) && said(models.notGguf), failure.message);
    assert.ok(!said(models.tinyLora), 'the adapter that fits is not blamed');
    assert.ok(failure.message.includes(`${missing} (scale 1) ${model}the file does not exist.`), failure.message);
    assert.match(failure.message, /llama\.cpp refused it: tensor 'blk\.0\.attn_q\.weight' has incorrect shape/);
    assert.match(
      failure.message,
      /it is not a LoRA adapter \(its GGUF general\.type is not set; an adapter's is "adapter"\)/,
    );
    assert.match(failure.message, /it is not a GGUF file/);
  });

  it('fails the load on an adapter for another shape alone: the base model never runs in its place', async () => {
    const foreign = await testLora(4, { embd: 32, heads: 2 });
    const engine = new EngineClient(testEngineOptions({ lora: [{ path: foreign, scale: 0.5 }] }));
    try {
      await assert.rejects(
        engine.load(models.tiny),
        (e: unknown) =>
          e instanceof EngineError &&
          e.code === 'ADAPTER_FAILED' &&
          e.message.startsWith(`LoRA adapter ${foreign} (scale 0.5) cannot be applied to the model ${models.tiny}: `),
      );
      await assert.rejects(engine.generate(REQUEST), 'no rewrite is made without the adapter');
    } finally {
      await engine.dispose();
    }
  });

  it('refuses adapter settings without a path or a numeric scale before starting a process', async () => {
    for (const lora of [[{ path: '', scale: 1 }], [{ path: models.tinyLora, scale: Number.NaN }]]) {
      const engine = new EngineClient(testEngineOptions({ lora }));
      await assert.rejects(
        engine.load(models.tiny),
        (e: unknown) =>
          e instanceof EngineError && e.code === 'ADAPTER_FAILED' && /needs a path and a numeric scale/.test(e.message),
      );
      assert.equal(engine.pid, undefined);
      await engine.dispose();
    }
  });
});
