// The markup guard in the editor: a proposal that drops a LaTeX \cite{} shows the loss in the preview
// zone, the CodeLens row and the sidebar's stream; Accept asks once more (a modal question) and writes
// nothing unless the writer says so; the log records what was lost; and Build Preference Pairs never
// makes that proposal a chosen side. A proposal that keeps its markup is accepted without a question.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult, RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import { escapeText } from '../../src/vscode/preview/preview-body';
import { cleanUp, getApi, openDoc, select, setSetting, useScriptedEngine } from './helpers';

const TEXT =
  '\\section{Background}\n\nAs was shown by \\cite{knuth84}, literate programs are read more than they ' +
  'are run.\n\nMore text.\n';
const TARGET = 'As was shown by \\cite{knuth84}, literate programs are read more than they are run.';
const KEEPS = 'As \\cite{knuth84} showed, literate programs are read more often than run.';
const DROPS = 'Literate programs, as is well known, are read more often than they are run.';

type Event = Record<string, unknown>;

function readEvents(file: string): Event[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
}

describe('rewrite preview markup guard', function () {
  this.timeout(30_000);
  let api: CptWriterTestApi;
  let dir: string;
  let feedbackFile: string;
  let asked: string[];

  before(async () => {
    api = await getApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-markup-'));
    await setSetting('feedback.enabled', true);
  });

  beforeEach(async () => {
    feedbackFile = path.join(dir, `feedback-${Date.now()}.jsonl`);
    await setSetting('feedback.path', feedbackFile);
    asked = [];
  });

  afterEach(async () => {
    api.testing.services.notifier.answerModals = undefined;
    await cleanUp(api);
  });

  after(async () => {
    await api.testing.setEngineFactory(undefined);
    await setSetting('feedback.path', undefined);
  });

  /** Answers Accept's question with `answer` (undefined = dismissed), noting that it was asked. */
  function answer(with_: string | undefined): void {
    api.testing.services.notifier.answerModals = (message) => {
      asked.push(message);
      return with_;
    };
  }

  it(
    'shows what a proposal lost, asks before accepting it, and keeps it out of the chosen side of the ' + 'pairs',
    async () => {
      let k = 0;
      await useScriptedEngine(api, { output: () => (++k === 1 ? KEEPS : DROPS) });
      const editor = await openDoc(TEXT, 'latex');
      assert.strictEqual(editor.document.languageId, 'latex');
      select(editor, TARGET);
      const first = await vscode.commands.executeCommand<RewriteRunResult>(
        'cptWriter.rewriteSelection',
        'formality',
        5,
      );
      assert.ok(first?.outcome === 'preview');
      assert.deepStrictEqual(first.markupLost, [], 'a proposal that keeps the citation was flagged');
      assert.ok(
        !api.testing.services.rewrite.presenter.previewShown()?.markdown.includes('lost'),
        'a warning without a loss',
      );

      // Regenerate: the first proposal is rejected, the second drops the citation.
      const events: RewriteStreamEvent[] = [];
      const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
      let second: RewriteRunResult | undefined;
      try {
        second = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.regenerateRewrite');
      } finally {
        sub.dispose();
      }
      assert.ok(second?.outcome === 'preview');
      assert.deepStrictEqual(second.markupLost, ['lost: \\cite{knuth84}']);
      const shown = api.testing.services.rewrite.presenter.previewShown();
      assert.ok(
        shown && shown.markdown.includes(escapeText('lost: \\cite{knuth84}')),
        `the zone does not list the loss:\n${shown?.markdown}`,
      );
      assert.ok(
        shown.markdown.indexOf(escapeText('lost: \\cite{knuth84}')) < shown.markdown.indexOf(escapeText('Literate')),
        'the warning is not above the proposal',
      );
      assert.match(api.testing.services.rewrite.presenter.lensShown()?.heading ?? '', /lost markup/);
      const done = events.find((e) => e.type === 'done');
      assert.deepStrictEqual(done?.type === 'done' && done.markupLost, ['lost: \\cite{knuth84}'], 'no done event');
      assert.deepStrictEqual(
        api.testing.services.rewrite.view.current()?.markupLost,
        ['lost: \\cite{knuth84}'],
        'the sidebar does not show the loss',
      );

      // Accept asks; dismissed, nothing is written or recorded and the preview stays.
      answer(undefined);
      const declined = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
      assert.strictEqual(declined?.outcome, 'cancelled');
      assert.strictEqual(asked.length, 1, 'Accept did not ask');
      assert.match(asked[0], /lost markup/);
      assert.strictEqual(editor.document.getText(), TEXT);
      assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'preview', 'declining closed the preview');
      const modal = api.testing
        .messages()
        .filter((m) => m.modal)
        .at(-1);
      // The default button (a modal's first, what Enter presses) goes back to the preview.
      assert.deepStrictEqual(modal?.actions, ['Back to Preview', 'Accept Anyway']);
      answer(modal?.actions[0]);
      const byDefault = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
      assert.strictEqual(byDefault?.outcome, 'cancelled');
      assert.strictEqual(editor.document.getText(), TEXT, 'the default button wrote the proposal');
      assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'preview', 'the default closed the preview');

      // Confirmed: one edit, one undo.
      answer('Accept Anyway');
      const version = editor.document.version;
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite'))?.outcome,
        'accepted',
      );
      assert.strictEqual(asked.length, 3);
      assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, DROPS));
      assert.strictEqual(editor.document.version, version + 1);
      await vscode.commands.executeCommand('undo');
      assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original byte for byte');

      await api.testing.feedback.flush();
      const log = readEvents(feedbackFile);
      const rewrites = log.filter((e) => e.type === 'rewrite');
      assert.deepStrictEqual(
        rewrites.map((e) => e.markupLost),
        [[], ['lost: \\cite{knuth84}']],
      );
      const decisions = log.filter((e) => e.type === 'decision').map((e) => [e.rewriteId, e.decision]);
      assert.deepStrictEqual(decisions.slice(0, 2), [
        [first.rewriteId, 'rejected'],
        [second.rewriteId, 'accepted'],
      ]);

      const out = path.join(dir, `pairs-${Date.now()}.jsonl`);
      await vscode.commands.executeCommand('cptWriter.buildPreferencePairs', {
        logs: [feedbackFile],
        out,
        showReport: false,
      });
      const pairs = fs.existsSync(out)
        ? fs
            .readFileSync(out, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as { chosen: { content: string }[] })
        : [];
      assert.ok(
        pairs.every((p) => p.chosen[0].content !== DROPS),
        'the proposal that lost the citation became a chosen side',
      );
    },
  );

  it('accepts a proposal that kept its markup without asking', async () => {
    await useScriptedEngine(api, { output: KEEPS });
    const editor = await openDoc(TEXT, 'latex');
    select(editor, TARGET);
    answer('Accept Anyway');
    assert.strictEqual(
      (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 5))?.outcome,
      'preview',
    );
    assert.strictEqual(
      (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite'))?.outcome,
      'accepted',
    );
    assert.deepStrictEqual(asked, []);
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, KEEPS));
  });
});
