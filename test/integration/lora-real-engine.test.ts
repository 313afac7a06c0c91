// LoRA adapters and the prompt cache with the real engine process (node-llama-cpp) in the real VS Code:
// an adapter written by our own GGUF writer for the generated test model is applied and shown in the
// status bar, a missing one is named in a warning while the base model keeps working, a prewarm leaves a
// saved prompt state in the extension's prompt cache, and Clear Prompt Cache removes it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { promptCacheUsage, type PromptCacheUsage } from '../../src/core/engine';
import { writeTestLora } from '../../src/core/testmodel';
import type { CptWriterTestApi } from '../../src/vscode/api';
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

  it('applies an adapter made for the test model, shows it in the status bar, and names one that failed', async () => {
    // The host's test model is `cpt-writer make-test-model OUT` with the default shape; the adapter matches it.
    const adapter = path.join(work, 'style-lora.gguf');
    await writeTestLora(adapter, 4);
    const missing = path.join(work, 'no-such-adapter.gguf');
    // A copy of the host's test model: its "random-weight test model" warning is then this file's own,
    // and the warning the real-engine suite expects for the original is still to come.
    const model = path.join(work, 'test-model-copy.gguf');
    fs.copyFileSync(testModelPath(), model);
    await setSetting('model', model);
    await setSetting('loraAdapters', [
      { path: adapter, scale: 0.5 },
      { path: missing, scale: 1 },
    ]);
    const from = api.testing.messages().length;
    const ready = await api.testing.services.models.ensureReady();
    assert.ok(ready, JSON.stringify(api.testing.messages().slice(from)));
    const status = ready.status;
    assert.deepStrictEqual(
      status.adapters?.map((a) => [a.path, a.scale]),
      [[adapter, 0.5]],
    );
    assert.deepStrictEqual(
      status.adapterErrors?.map((e) => e.path),
      [missing],
    );
    const view = statusView(api.testing.services.models.status);
    assert.match(view.text, /\+LoRA/);
    assert.ok(view.tooltip.includes(`is applied at scale 0.5 (${adapter})`), view.tooltip);
    const warning = api.testing
      .messages()
      .slice(from)
      .find((m) => m.severity === 'warning' && m.message.includes(missing));
    assert.ok(warning, JSON.stringify(api.testing.messages().slice(from)));
    // The base model with the good adapter still generates.
    const r = await ready.engine.generate({
      system: 'Rewrite the text.',
      user: 'A short sentence.',
      maxTokens: 4,
      temperature: 0,
    });
    assert.ok(r.outputTokens > 0);
  });

  it("a prewarm saves the prompt state in the extension's prompt cache, and Clear Prompt Cache removes it", async () => {
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
  });
});
