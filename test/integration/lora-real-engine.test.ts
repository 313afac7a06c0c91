// LoRA adapters and the prompt cache with the real engine process (node-llama-cpp) in the real VS Code:
// an adapter written by our own GGUF writer for the generated test model is applied and shown in the
// status bar, one made for another shape fails the load with an error naming both files (the base model
// never runs in its place), a prewarm leaves a saved prompt state in the extension's prompt cache, and
// Clear Prompt Cache removes it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { promptCacheUsage, type EngineInfo, type PromptCacheUsage } from '../../src/core/engine';
import type { LazyGenerator } from '../../src/core/judge';
import { writeTestLora } from '../../src/core/testmodel';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { GenerateCommandResult } from '../../src/vscode/generate/generate-command';
import { statusView } from '../../src/vscode/model/status-bar';
import { cleanUp, getApi, setSetting, testModelPath } from './helpers';

/** The cache's usage once no temporary file is left and two reads 500 ms apart agree. */
async function settled(dir: string): Promise<PromptCacheUsage> {
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const usage = await promptCacheUsage(dir);
    const writing = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /\.tmp-/.test(f));
    const now = JSON.stringify(usage);
    if (!writing && now === last && usage.entries > 0) return usage;
    if (Date.now() - t0 > 90_000) throw new Error(`the prompt cache did not settle: ${now}`);
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('LoRA adapters and the prompt cache with the real engine', function () {
  this.timeout(120_000);
  let api: CptWriterTestApi;
  let work: string;

  before(async () => {
    api = await getApi();
    await api.testing.setEngineFactory(undefined);
    await setSetting('threads', 1);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-lora-host-'));
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.services.models.shutdown();
    await setSetting('loraAdapters', undefined);
    await setSetting('model', testModelPath());
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('applies an adapter made for the test model and shows it in the status bar', async () => {
    // The host's test model is `cpt-writer make-test-model OUT` with the default shape; the adapter matches it.
    const adapter = path.join(work, 'style-lora.gguf');
    await writeTestLora(adapter, 4);
    // A copy of the host's test model: its "random-weight test model" warning is then this file's own,
    // and the warning the real-engine suite expects for the original is still to come.
    const model = path.join(work, 'test-model-copy.gguf');
    fs.copyFileSync(testModelPath(), model);
    await setSetting('model', model);
    await setSetting('loraAdapters', [{ path: adapter, scale: 0.5 }]);
    const from = api.testing.messages().length;
    const ready = await api.testing.services.models.ensureReady();
    assert.ok(ready, JSON.stringify(api.testing.messages().slice(from)));
    assert.deepStrictEqual(
      ready.status.adapters?.map((a) => [a.path, a.scale]),
      [[adapter, 0.5]],
    );
    const view = statusView(api.testing.services.models.status);
    assert.match(view.text, /\+LoRA/);
    assert.ok(view.tooltip.includes(`is applied at scale 0.5 (${adapter}).`), view.tooltip);
    const r = await ready.engine.generate({
      system: 'Rewrite the text.',
      user: 'A short sentence.',
      maxTokens: 4,
      temperature: 0,
    });
    assert.ok(r.outputTokens > 0);
  });

  it('fails the load on an adapter made for another shape, naming the adapter and the model', async () => {
    const misfit = path.join(work, 'other-shape-lora.gguf');
    await writeTestLora(misfit, 4, { embd: 32, heads: 2 });
    const model = path.join(work, 'test-model-copy.gguf');
    if (!fs.existsSync(model)) fs.copyFileSync(testModelPath(), model);
    await setSetting('model', model);
    await setSetting('loraAdapters', [{ path: misfit, scale: 1 }]);
    const from = api.testing.messages().length;
    const ready = await api.testing.services.models.ensureReady();
    const said = api.testing.messages().slice(from);
    assert.strictEqual(ready, undefined, 'no base model runs in place of the adapter asked for');
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'error');
    const error = said.find((m) => m.severity === 'error');
    assert.ok(error, JSON.stringify(said));
    assert.ok(error.message.includes(misfit) && error.message.includes(model), error.message);
    assert.ok(error.actions.includes('Open Settings'), JSON.stringify(error));
    await setSetting('loraAdapters', []);
  });

  it("the judge gets only cptWriter.judgeLoraAdapters, never the rewriting model's adapters", async () => {
    const style = path.join(work, 'style-lora.gguf');
    if (!fs.existsSync(style)) await writeTestLora(style, 4);
    const judging = path.join(work, 'judge-lora.gguf');
    await writeTestLora(judging, 2);
    await setSetting('model', testModelPath());
    await setSetting('loraAdapters', [{ path: style, scale: 1 }]);
    await setSetting('judgeModel', undefined);
    await setSetting('judgeLoraAdapters', undefined);
    const judge = api.testing.services.judge;
    const adaptersOf = async (g: unknown) => {
      // By shape: the extension's bundle has its own copy of the LazyGenerator class.
      const lazy = g as Partial<Pick<LazyGenerator, 'ready'>>;
      assert.ok(typeof lazy.ready === 'function', 'the judge runs in its own engine, not the rewriting one');
      const inner = (await lazy.ready()).generator as unknown as { info(): Promise<EngineInfo> };
      return ((await inner.info()).adapters ?? []).map((a) => [a.path, a.scale]);
    };
    try {
      const rewriting = (await api.testing.services.models.ensureReady())?.engine;
      assert.ok(rewriting);
      assert.deepStrictEqual(await adaptersOf(await judge.generator(rewriting)), [], 'no adapter on the judge');
      await setSetting('judgeLoraAdapters', [{ path: judging, scale: 0.5 }]);
      assert.deepStrictEqual(await adaptersOf(await judge.generator(rewriting)), [[judging, 0.5]]);
      // The same model with the same adapters: the rewriting engine judges, no second one is loaded.
      await setSetting('judgeLoraAdapters', [{ path: style, scale: 1 }]);
      assert.strictEqual(await judge.generator(rewriting), rewriting);
    } finally {
      await judge.stop();
      await setSetting('judgeLoraAdapters', undefined);
      await setSetting('loraAdapters', []);
    }
  });

  it(
    'the GGUF teacher of Generate Preference Data gets only cptWriter.teacherLoraAdapters, never the ' +
      "rewriting model's",
    async () => {
      const misfit = path.join(work, 'other-shape-lora.gguf');
      if (!fs.existsSync(misfit)) await writeTestLora(misfit, 4, { embd: 32, heads: 2 });
      const own = path.join(work, 'teacher-lora.gguf');
      await writeTestLora(own, 2);
      const texts = path.join(work, 'teacher-texts.txt');
      fs.writeFileSync(texts, 'The meeting moved to Friday at noon.\n');
      const run = (outDir: string) =>
        vscode.commands.executeCommand<GenerateCommandResult>('cptWriter.generatePreferenceData', {
          rubricIds: ['formality'],
          levels: [1, 3],
          input: { kind: 'texts', file: texts },
          teacher: { kind: 'gguf', spec: testModelPath() },
          outDir,
        });
      const teacherOf = (dir: string) =>
        (JSON.parse(fs.readFileSync(path.join(dir, 'samples.jsonl'), 'utf8').split('\n')[0]) as { teacher: string })
          .teacher;
      await setSetting('maxTokens', 6);
      try {
        // A misfit adapter for the rewriting model would fail any load it reached: the teacher never gets it.
        await setSetting('loraAdapters', [{ path: misfit, scale: 1 }]);
        await setSetting('teacherLoraAdapters', undefined);
        const plain = path.join(work, 'teacher-plain');
        const without = await run(plain);
        assert.ok(without && without.status === 'complete', JSON.stringify(without));
        assert.ok(!teacherOf(plain).includes('.gguf +'), teacherOf(plain));
        // Its own adapter reaches it, and the data names the teacher with it.
        await setSetting('teacherLoraAdapters', [{ path: own, scale: 0.5 }]);
        const tuned = path.join(work, 'teacher-tuned');
        const withOwn = await run(tuned);
        assert.ok(withOwn && withOwn.status === 'complete', JSON.stringify(withOwn));
        assert.ok(teacherOf(tuned).endsWith(` + ${own}×0.5`), teacherOf(tuned));
        // A teacher adapter that does not fit is an error naming both files, and nothing is generated.
        await setSetting('teacherLoraAdapters', [{ path: misfit, scale: 1 }]);
        const refusedDir = path.join(work, 'teacher-misfit');
        const refused = await run(refusedDir);
        assert.ok(refused && refused.status === 'not-started', JSON.stringify(refused));
        assert.ok(
          refused.reason.includes(misfit) && refused.reason.includes(path.basename(testModelPath())),
          refused.reason,
        );
        assert.ok(!fs.existsSync(path.join(refusedDir, 'samples.jsonl')));
      } finally {
        await setSetting('teacherLoraAdapters', undefined);
        await setSetting('loraAdapters', []);
        await setSetting('maxTokens', undefined);
      }
    },
  );

  it(
    "a prewarm saves the prompt state in the extension's prompt cache, and Clear Prompt Cache " + 'removes it',
    async () => {
      const dir = api.testing.services.promptCacheDir;
      const ready = await api.testing.services.models.ensureReady();
      assert.ok(ready);
      assert.strictEqual(ready.status.promptCache?.directory, dir);
      const system =
        'You are a careful editor who rewrites text in a formal register, keeping its meaning and markup. '.repeat(2);
      await ready.engine.prewarm(system, { userPrefix: 'Rewrite this text:\n' });
      // The engine publishes a saved state in the background (and the editor's own prewarm of the current
      // style may be saving too): wait until nothing is being written before clearing.
      const saved = await settled(dir);
      assert.ok(saved.entries >= 1, JSON.stringify(saved));
      const from = api.testing.messages().length;
      const freed = await vscode.commands.executeCommand<PromptCacheUsage>('cptWriter.clearPromptCache');
      assert.ok(freed && freed.entries === saved.entries && freed.bytes > 0, JSON.stringify(freed));
      assert.deepStrictEqual(await promptCacheUsage(dir), { entries: 0, bytes: 0 });
      assert.ok(
        api.testing
          .messages()
          .slice(from)
          .some((m) => /cleared the prompt cache/.test(m.message)),
      );
    },
  );
});
