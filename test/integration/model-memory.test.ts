// Unload Model, the idle unload (cptWriter.unloadAfterMinutes), the prompt-cache settings reaching the
// engine, and LoRA adapters in the status bar, with the scripted engine double (the real engine's side of
// each is covered by the unit tests and lora-real-engine.test.ts).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { statusView } from '../../src/vscode/model/status-bar';
import type { UnloadResult } from '../../src/vscode/model/model-service';
import { cleanUp, getApi, openDoc, select, setSetting, testModelPath, useScriptedEngine, waitFor } from './helpers';

describe('model memory: unload, idle unload, prompt cache and adapter settings', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;

  before(async () => {
    api = await getApi();
  });
  afterEach(async () => {
    await cleanUp(api);
    for (const key of ['unloadAfterMinutes', 'promptCache.enabled', 'promptCache.maxMB', 'loraAdapters'])
      await setSetting(key, undefined);
  });
  after(async () => {
    await api.testing.setEngineFactory(undefined);
    await setSetting('model', testModelPath());
  });

  it('Unload Model frees the model, the status bar says unloaded, and the next rewrite loads it again', async () => {
    const engine = await useScriptedEngine(api, { output: 'Tidy words.' });
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath()), true);
    const from = api.testing.messages().length;
    assert.strictEqual(await vscode.commands.executeCommand<UnloadResult>('cptWriter.unloadModel'), 'unloaded');
    assert.strictEqual(engine.unloads, 1);
    assert.strictEqual(engine.isLoaded, false);
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'unloaded');
    assert.strictEqual(status.state === 'unloaded' && status.unloaded, 'command');
    assert.match(statusView(status).text, /\(unloaded\)/);
    assert.ok(
      api.testing
        .messages()
        .slice(from)
        .some((m) => /unloaded .* to free its memory/.test(m.message)),
    );

    // Nothing left to unload.
    assert.strictEqual(await vscode.commands.executeCommand<UnloadResult>('cptWriter.unloadModel'), 'not-loaded');

    const editor = await openDoc('Some words here. More words after.');
    select(editor, 'Some words here.');
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3);
    assert.strictEqual(result?.outcome, 'preview', JSON.stringify(result));
    assert.strictEqual(engine.loads.length, 2, `loads: ${JSON.stringify(engine.loads)}`);
    assert.strictEqual(engine.isLoaded, true);
    assert.strictEqual(api.testing.services.models.status.state, 'ready');
  });

  it('Unload Model refuses while a rewrite streams, and the rewrite finishes', async () => {
    const engine = await useScriptedEngine(api, {
      output: 'one two three four five six seven eight nine ten',
      delayMs: 60,
    });
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath()), true);
    const editor = await openDoc('Slow text to rewrite.');
    select(editor, 'Slow text');
    const running = vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3);
    await waitFor(
      'the rewrite to stream',
      () => engine.requests.length > 0 && api.testing.services.rewrite.snapshot().phase === 'streaming',
    );
    assert.strictEqual(await vscode.commands.executeCommand<UnloadResult>('cptWriter.unloadModel'), 'busy');
    const result = await running;
    assert.strictEqual(result?.outcome, 'preview');
    assert.strictEqual(engine.unloads, 0);
  });

  it('unloads by itself after cptWriter.unloadAfterMinutes without use, and 0 keeps it loaded', async () => {
    const engine = await useScriptedEngine(api, {});
    await setSetting('unloadAfterMinutes', 0);
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath()), true);
    await waitFor('the model ready', () => api.testing.services.models.status.state === 'ready');
    // No idle unload is even scheduled: nothing can free the model later, so there is nothing to wait for.
    assert.strictEqual(api.testing.services.models.idleUnloadScheduled, false, '0 must keep the model loaded');
    assert.strictEqual(engine.unloads, 0, '0 must keep the model loaded');
    // 0.01 minutes = 600 ms; changing the setting restarts the idle period.
    await setSetting('unloadAfterMinutes', 0.01);
    await waitFor('the idle unload', () => engine.unloads === 1, 10_000);
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state === 'unloaded' && status.unloaded, 'idle');
    assert.match(statusView(status).tooltip, /without use/);
  });

  it('the prompt-cache settings reach the engine, kept in the extension storage', async () => {
    const models = api.testing.services.models;
    let options = await models.engineOptions();
    assert.deepStrictEqual(options.promptCache, {
      enabled: true,
      directory: api.testing.services.promptCacheDir,
      maxMB: 1024,
    });
    assert.ok(api.testing.services.promptCacheDir.includes('prompt-cache'));
    await setSetting('promptCache.maxMB', 128);
    await setSetting('promptCache.enabled', false);
    options = await models.engineOptions();
    assert.deepStrictEqual(options.promptCache, {
      enabled: false,
      directory: api.testing.services.promptCacheDir,
      maxMB: 128,
    });
    // Below the minimum is clamped rather than handed to the engine.
    await setSetting('promptCache.maxMB', 1);
    assert.strictEqual((await models.engineOptions()).promptCache?.maxMB, 64);
  });

  it('a change of the prompt-cache or adapter settings restarts the engine before the next rewrite', async () => {
    let made = 0;
    const first = await useScriptedEngine(api, {});
    await api.testing.setEngineFactory(() => {
      made++;
      return first;
    });
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath()), true);
    assert.strictEqual(made, 1);
    await setSetting('promptCache.enabled', false);
    await waitFor('the status to reset', () => api.testing.services.models.status.state === 'unloaded');
    assert.ok(await api.testing.services.models.ensureReady());
    assert.strictEqual(made, 2, 'a prompt-cache change must start a fresh engine');
    assert.ok(first.disposed);
  });

  it('LoRA adapters are passed to the engine and shown in the status bar', async () => {
    const good = '/adapters/cpt-style.gguf';
    await setSetting('loraAdapters', [{ path: good, scale: 0.5 }]);
    const options = await api.testing.services.models.engineOptions();
    assert.deepStrictEqual(options.lora, [{ path: good, scale: 0.5 }]);
    await useScriptedEngine(api, { info: { adapters: [{ path: good, scale: 0.5, name: 'cpt-style' }] } });
    assert.strictEqual(await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath()), true);
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'ready');
    const view = statusView(status);
    assert.match(view.text, /\+LoRA/);
    assert.match(view.tooltip, /The LoRA adapter cpt-style is applied at scale 0\.5 \(\/adapters\/cpt-style\.gguf\)\./);
  });

  it('an adapter that does not apply fails the load with an error and a way to the setting', async () => {
    const bad = '/adapters/other-model.gguf';
    await setSetting('loraAdapters', [{ path: bad }]);
    const badMessage =
      `LoRA adapter ${bad} (scale 1) cannot be applied to the model ${testModelPath()}: ` + `it is not a GGUF file.`;
    const engine = await useScriptedEngine(api, { loadError: { code: 'ADAPTER_FAILED', message: badMessage } });
    const from = api.testing.messages().length;
    await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath());
    await waitFor('the load to fail', () => api.testing.services.models.status.state === 'error');
    assert.strictEqual(engine.requests.length, 0);
    const errors = api.testing
      .messages()
      .slice(from)
      .filter((m) => m.severity === 'error');
    assert.ok(
      errors.some((w) => w.message.includes(badMessage) && w.actions.includes('Open Settings')),
      JSON.stringify(errors),
    );
  });

  it('an unreadable adapter entry fails the load too, naming the entry', async () => {
    await setSetting('loraAdapters', [{ path: 'relative.gguf' }]);
    await useScriptedEngine(api);
    const from = api.testing.messages().length;
    await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath());
    await waitFor('the load to fail', () => api.testing.services.models.status.state === 'error');
    const errors = api.testing
      .messages()
      .slice(from)
      .filter((m) => m.severity === 'error');
    assert.ok(
      errors.some(
        (w) => /loraAdapters\[0\].*not an absolute path/.test(w.message) && w.actions.includes('Open Settings'),
      ),
      JSON.stringify(errors),
    );
    await setSetting('loraAdapters', []);
  });
});
