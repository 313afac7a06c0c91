// Model handling against the real engine process: a missing model file gives a clear message naming it,
// the status says so, and the text is left alone; a crash is reported and the next use restarts.
import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { statusView } from '../../src/vscode/model/status-bar';
import { validateModelSpec } from '../../src/vscode/model/select-model';
import { specDisplayName } from '../../src/vscode/model/model-service';
import { readLoraAdapters } from '../../src/vscode/common/config';
import { modelSpecProblem, plainHttpRefusal } from '../../src/core/engine';
import { ScriptedEngine } from './scripted-engine';
import { cleanUp, getApi, openDoc, select, setSetting, testModelPath, useScriptedEngine, waitFor } from './helpers';

describe('model handling', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;

  before(async () => {
    api = await getApi();
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.setEngineFactory(undefined);
    await setSetting('model', testModelPath());
  });

  it('with no model configured, a rewrite leads to Select Model instead of failing', async () => {
    await useScriptedEngine(api, {});
    await setSetting('model', undefined);
    await waitFor('model status none', () => api.testing.services.models.status.state === 'none');
    const editor = await openDoc('Text without a model.');
    select(editor, 'Text without');
    const from = api.testing.messages().length;
    const running = vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3);
    await waitFor('the model prompt', () =>
      api.testing
        .messages()
        .slice(from)
        .some((m) => /needs a model first/.test(m.message)),
    );
    // The Quick Pick opens after the message; close it until the command returns (a close before it opened
    // does nothing, so this waits for the picker itself rather than for a fixed time).
    let done = false;
    void running.then(
      () => (done = true),
      () => (done = true),
    );
    const t0 = Date.now();
    while (!done) {
      assert.ok(Date.now() - t0 < 20_000, 'the command did not return after its picker was closed');
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await Promise.race([running, new Promise((r) => setTimeout(r, 50))]);
    }
    const result = await running;
    assert.strictEqual(result?.outcome, 'no-model');
    assert.strictEqual(editor.document.getText(), 'Text without a model.');
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
  });

  it(
    "Select Model's URL input refuses plain http: and a malformed pin in the engine's own words; file: " +
      'URLs are decoded',
    () => {
      const http = 'http://mirror.example/m.gguf';
      assert.strictEqual(validateModelSpec(http), plainHttpRefusal(http));
      const badPin = 'hf:owner/repo:Q4_K_M#sha256=123';
      assert.strictEqual(validateModelSpec(badPin), modelSpecProblem(badPin));
      assert.match(String(validateModelSpec(badPin)), /64 hexadecimal digits/);
      assert.strictEqual(validateModelSpec(`https://h/m.gguf#sha256=${'a'.repeat(64)}`), undefined);
      assert.strictEqual(validateModelSpec('hf:owner/repo/file.gguf#dev'), undefined);
      assert.strictEqual(
        specDisplayName(`file:///models/My%20Model%20%231.gguf#sha256=${'a'.repeat(64)}`),
        'My Model #1.gguf',
      );
      const lora = readLoraAdapters([
        { path: 'file:///adapters/style%20a.gguf', scale: 0.5 },
        { path: 'file://server/x.gguf' },
      ]);
      assert.deepStrictEqual(lora.loraAdapters, [{ path: '/adapters/style a.gguf', scale: 0.5 }]);
      assert.match(lora.loraProblems.join('\n'), /loraAdapters\[1\].*file: URL/);
    },
  );

  it('a missing model file gives a clear message naming the file and leaves the text as it was', async () => {
    await api.testing.setEngineFactory(undefined); // the real engine process
    const missing = path.join(os.tmpdir(), `cpt-writer-no-such-model-${process.pid}.gguf`);
    await setSetting('model', missing);
    const editor = await openDoc('Some text to rewrite.');
    select(editor, 'Some text');
    const from = api.testing.messages().length;
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3);
    assert.strictEqual(result?.outcome, 'error');
    assert.strictEqual(editor.document.getText(), 'Some text to rewrite.');
    const told = api.testing
      .messages()
      .slice(from)
      .find((m) => m.severity === 'error');
    assert.ok(told, 'no error shown');
    assert.ok(told.message.includes(missing), `the message does not name the file: ${told.message}`);
    assert.match(told.message, /not found/i);
    assert.ok(told.actions.includes('Select Model…'));
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'error');
  });

  it('a file that is not GGUF is reported as such', async () => {
    await api.testing.setEngineFactory(undefined);
    const notGguf = path.join(process.env.CPT_WRITER_TEST_WORKSPACE ?? os.tmpdir(), 'email.txt');
    await setSetting('model', notGguf);
    const from = api.testing.messages().length;
    const ok = await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', notGguf);
    assert.strictEqual(ok, false);
    const told = api.testing
      .messages()
      .slice(from)
      .find((m) => m.severity === 'error');
    assert.ok(told && told.message.includes(notGguf) && /GGUF/.test(told.message), JSON.stringify(told));
  });

  it('a model change saves cptWriter.model and shows the scripted model as ready on the CPU', async () => {
    const engine = await useScriptedEngine(api, {});
    const ok = await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', testModelPath());
    assert.strictEqual(ok, true);
    assert.strictEqual(vscode.workspace.getConfiguration('cptWriter').get('model'), testModelPath());
    assert.deepStrictEqual(engine.loads, [testModelPath()]);
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'ready');
    assert.strictEqual(status.state === 'ready' && status.backend, 'cpu');
  });

  it('an engine setting change restarts the engine on next use, not before', async () => {
    await setSetting('model', testModelPath());
    const engines: ScriptedEngine[] = [];
    await api.testing.setEngineFactory((options) => {
      const e = new ScriptedEngine({ output: `threads ${options.threads}` });
      engines.push(e);
      return e;
    });
    const editor = await openDoc('Restart test text.');
    select(editor, 'Restart test');
    assert.strictEqual(
      (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3))?.outcome,
      'preview',
    );
    await vscode.commands.executeCommand('cptWriter.cancelRewrite');
    const threads = vscode.workspace.getConfiguration('cptWriter').get<number>('threads') ?? 0;
    await setSetting('threads', threads === 3 ? 2 : 3);
    try {
      await waitFor('status unloaded', () => api.testing.services.models.status.state === 'unloaded');
      assert.strictEqual(engines.length, 1, 'the engine restarted before it was needed');
      select(editor, 'Restart test');
      const second = await vscode.commands.executeCommand<RewriteRunResult>(
        'cptWriter.rewriteSelection',
        'formality',
        3,
      );
      assert.strictEqual(engines.length, 2, 'no fresh engine after the settings change');
      assert.ok(engines[0].disposed, 'the old engine was not stopped');
      assert.strictEqual(second?.outcome === 'preview' && second.proposal, `threads ${threads === 3 ? 2 : 3}`);
    } finally {
      await setSetting('threads', threads === 0 ? undefined : threads);
    }
  });

  it('the status bar says when the model is a random-weight test model', () => {
    const model = {
      name: 'CPT Writer random-weight test model',
      file: '/m/test.gguf',
      sizeBytes: 1,
      trainedContextSize: 1,
      architecture: 'llama',
      cptTuned: false,
    };
    const view = statusView({
      state: 'ready',
      spec: model.file,
      name: model.name,
      model,
      backend: 'cpu',
      gpuLayers: 0,
      totalLayers: 0,
      testModel: true,
    });
    assert.match(view.tooltip, /gibberish/);
    assert.strictEqual(view.background, 'statusBarItem.warningBackground');
    // One name for it, as the terminal of npm start says: the demo model.
    assert.match(view.text, /Demo model \(random weights\)/);
    assert.doesNotMatch(`${view.text}\n${view.tooltip}`, /test model/);
    // Every tooltip line is a sentence.
    for (const line of view.tooltip.split('\n').filter((l) => !l.startsWith('/')))
      assert.match(line, /^[A-Z].*[.)]$/, line);
    const loading = statusView({
      state: 'loading',
      spec: 'hf:a/b:Q4_K_M',
      name: 'b',
      phase: 'download',
      fraction: 0.42,
    });
    assert.match(loading.text, /Downloading 42%/);
  });

  it('an engine crash is reported, the text is untouched, and the next rewrite starts a fresh engine', async () => {
    const engines: ScriptedEngine[] = [];
    await setSetting('model', testModelPath());
    await api.testing.setEngineFactory(() => {
      const e = new ScriptedEngine({ output: 'Fine.' });
      engines.push(e);
      return e;
    });
    const editor = await openDoc('Crash test text.');
    select(editor, 'Crash test');
    assert.strictEqual(
      (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3))?.outcome,
      'preview',
    );
    await vscode.commands.executeCommand('cptWriter.rejectRewrite');
    const from = api.testing.messages().length;
    engines[0].crash('SIGKILL');
    assert.strictEqual(api.testing.services.models.status.state, 'error');
    assert.ok(
      api.testing
        .messages()
        .slice(from)
        .some((m) => m.severity === 'error' && /stopped unexpectedly/.test(m.message)),
    );
    select(editor, 'Crash test');
    assert.strictEqual(
      (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 3))?.outcome,
      'preview',
    );
    assert.strictEqual(engines.length, 2, 'no fresh engine after the crash');
    assert.strictEqual(editor.document.getText(), 'Crash test text.');
  });
});
