// One rewrite through the real engine process (node-llama-cpp) on the generated random-weight model:
// it streams into the preview and accept applies it. The model writes gibberish, so only structure is
// asserted: tokens arrive, the preview matches what streamed, the document gets exactly that text.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EvalOutcome } from '../../src/core/eval';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult, RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import { cleanUp, getApi, openDoc, readJsonl, select, setSetting, testModelPath } from './helpers';

describe('rewrite with the real engine and the generated test model', function () {
  this.timeout(90_000);
  let api: CptWriterTestApi;
  let work: string;
  let model: string;

  before(async () => {
    // A copy of the host's test model: the "random-weight test model" warning comes once per model file,
    // and other suites load the host's own file (through the scripted double too) before this one.
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-real-engine-'));
    model = path.join(work, 'test-model.gguf');
    fs.copyFileSync(testModelPath(), model);
    api = await getApi();
    await api.testing.setEngineFactory(undefined);
    // Two shared cores on the test machine: one thread, short outputs.
    await setSetting('threads', 1);
    await setSetting('maxTokens', 24);
    await setSetting('temperature', 0);
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    await api.testing.services.models.shutdown();
    await setSetting('maxTokens', undefined);
    await setSetting('temperature', undefined);
    await setSetting('model', testModelPath());
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('loads the model by path, warns that it is a random-weight test model, and reports the CPU backend', async () => {
    const from = api.testing.messages().length;
    const ok = await vscode.commands.executeCommand<boolean>('cptWriter.selectModel', model);
    assert.strictEqual(ok, true, JSON.stringify(api.testing.messages().slice(from)));
    const status = api.testing.services.models.status;
    assert.strictEqual(status.state, 'ready');
    if (status.state !== 'ready') return;
    assert.strictEqual(status.testModel, true);
    assert.ok(['cpu', 'cuda', 'vulkan', 'metal'].includes(status.backend));
    assert.ok(
      api.testing
        .messages()
        .slice(from)
        .some((m) => m.severity === 'warning' && /gibberish/.test(m.message)),
    );
  });

  it('streams a rewrite into the preview and accept applies exactly the previewed text', async () => {
    const original = 'So basically we just kind of stopped doing it one week.';
    const editor = await openDoc(`Intro.\n${original}\nOutro.\n`);
    select(editor, original);
    const events: RewriteStreamEvent[] = [];
    const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
    let result: RewriteRunResult | undefined;
    try {
      result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 5);
    } finally {
      sub.dispose();
    }
    assert.ok(result, 'no result');
    assert.ok(events.length > 0 && events[0].type === 'started', JSON.stringify(events.slice(0, 3)));
    const tokens = events.filter((e) => e.type === 'token');
    // A random-weight model may stop at once; then there is nothing to preview and the text must be untouched.
    if (result.outcome === 'empty') {
      assert.strictEqual(editor.document.getText(), `Intro.\n${original}\nOutro.\n`);
      assert.fail('the test model produced no text at temperature 0; the preview path was not exercised');
    }
    assert.strictEqual(result.outcome, 'preview', JSON.stringify(result));
    assert.ok(tokens.length > 0, 'no tokens streamed');
    const done = events.find((e) => e.type === 'done');
    assert.ok(done && done.type === 'done');
    const proposal = result.outcome === 'preview' ? result.proposal : '';
    assert.strictEqual(done.text, proposal);
    assert.ok(done.stats.outputTokens > 0 && done.stats.outputTokens <= 24, `outputTokens ${done.stats.outputTokens}`);
    assert.strictEqual(editor.document.getText(), `Intro.\n${original}\nOutro.\n`, 'the preview touched the document');
    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    const after = editor.document.getText();
    assert.ok(after.startsWith('Intro.\n') && after.endsWith('\nOutro.\n'));
    assert.strictEqual(
      after.slice('Intro.\n'.length, after.length - '\nOutro.\n'.length),
      proposal.replace(/\r\n/g, '\n'),
    );
  });

  it(
    'Evaluate Model… counts each prompt first: a passage or writing prompt too long for the context is skipped ' +
      'and named',
    async () => {
      await setSetting('model', model);
      await setSetting('contextSize', 4096);
      const texts = path.join(work, 'eval-texts.jsonl');
      fs.writeFileSync(
        texts,
        [
          { id: 'short', languageId: 'plaintext', text: 'The meeting moved to Friday at noon.' },
          { id: 'long', languageId: 'plaintext', text: 'The quick brown fox jumps. '.repeat(400) },
        ]
          .map((t) => JSON.stringify(t))
          .join('\n') + '\n',
      );
      const out = path.join(work, 'eval-out');
      const from = api.testing.messages().length;
      try {
        const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('cptWriter.evaluateModel', {
          rubricIds: ['formality'],
          levels: [1, 5],
          texts,
          outDir: out,
          mode: 'directive',
          maxTokens: 8,
          noOpen: true,
        });
        assert.ok(outcome, JSON.stringify(api.testing.messages().slice(from)));
        assert.strictEqual(outcome.status, 'complete');
        assert.deepStrictEqual(
          outcome.skippedTexts.map((t) => [t.textId, t.contextSize]),
          [['long', 4096]],
        );
        const ids = readJsonl<{ textId: string }>(path.join(out, 'samples.jsonl')).map((s) => s.textId);
        assert.deepStrictEqual(ids, ['short', 'short']);
        const told = api.testing.messages().slice(from);
        assert.ok(
          told.some((m) => m.severity === 'warning' && /1 passage was skipped: too long/.test(m.message)),
          JSON.stringify(told),
        );
        // Free writing names what it skipped as writing prompts.
        const tasks = path.join(work, 'eval-tasks.jsonl');
        fs.writeFileSync(
          tasks,
          [
            { id: 'short-task', prompt: 'Write a note about the meeting.' },
            { id: 'long-task', prompt: 'The quick brown fox jumps. '.repeat(400) },
          ]
            .map((t) => JSON.stringify(t))
            .join('\n') + '\n',
        );
        const fromTasks = api.testing.messages().length;
        const free = await vscode.commands.executeCommand<EvalOutcome | undefined>('cptWriter.evaluateModel', {
          rubricIds: ['formality'],
          levels: [1],
          tasks,
          outDir: path.join(work, 'eval-tasks-out'),
          mode: 'directive',
          maxTokens: 8,
          noOpen: true,
        });
        assert.deepStrictEqual(
          free?.skippedTexts.map((t) => t.textId),
          ['long-task'],
        );
        const toldTasks = api.testing.messages().slice(fromTasks);
        assert.ok(
          toldTasks.some((m) => m.severity === 'warning' && /1 writing prompt was skipped: too long/.test(m.message)),
          JSON.stringify(toldTasks),
        );
      } finally {
        await setSetting('contextSize', undefined);
      }
    },
  );
});
