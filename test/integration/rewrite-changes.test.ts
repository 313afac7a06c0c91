// Per-change accept in the real VS Code host: the writer steps through the proposal's changes with the
// commands the keys run, leaves one, and Accept writes exactly the mix as one edit (one undo restores
// the original); the feedback log records that text as an `edited` decision, and the history says so.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { cleanUp, getApi, openDoc, readFeedbackEvents, select, useFeedbackLog, useScriptedEngine } from './helpers';

const TEXT = '# Notes\n\nThe quick brown fox jumps over the lazy dog.\n\nThe end.\n';
const TARGET = 'The quick brown fox jumps over the lazy dog.';
// Three changes: quick → fast, jumps → leaps, lazy → sleepy.
const PROPOSAL = 'The fast brown fox leaps over the sleepy dog.';
const MIX = 'The fast brown fox jumps over the sleepy dog.';

describe('per-change accept', function () {
  this.timeout(30_000);
  const suite = useFeedbackLog('cpt-changes-');
  let api: CptWriterTestApi;
  let feedbackFile: string;
  before(() => ({ api, feedbackFile } = suite));

  it('takes two of three changes: document and edited decision hold exactly that text; one undo restores', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    assert.strictEqual(result?.outcome, 'preview');
    const rewriteId = result.outcome === 'preview' ? result.rewriteId : '';
    const rewrite = api.testing.services.rewrite;
    assert.strictEqual(rewrite.presenter.contextKeys().previewHasChanges, true, 'the change keys are not enabled');
    const version = editor.document.version;

    // Next Change twice, then Take or Leave: the second change (jumps → leaps) is left.
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.nextChange'), true);
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.nextChange'), true);
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.toggleChange'), true);
    assert.strictEqual(rewrite.snapshot().proposal, MIX, 'the preview does not offer the mix');
    const shown = rewrite.presenter.previewShown();
    assert.ok(shown, 'no preview zone');
    const read = shown.markdown.replace(/<[^>]+>/g, '').replace(/\\(.)/g, '$1');
    assert.match(read, /Change 2 of 3: left/);
    assert.match(read, /^The fast brown fox jumps over the sleepy dog\.$/m, 'the zone does not show the mix');
    assert.match(shown.label, /2 of 3 changes taken/, 'the zone title does not say what Accept takes');
    assert.ok(shown.markdown.includes('command:cptWriter.takeAllChanges'), 'no Take All link');
    assert.strictEqual(editor.document.getText(), TEXT, 'taking or leaving a change wrote to the document');

    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, MIX));
    assert.strictEqual(editor.document.version, version + 1, 'accept should be exactly one edit');

    await api.testing.services.feedback.flush();
    const decisions = readFeedbackEvents(feedbackFile).filter(
      (e) => e.type === 'decision' && e.rewriteId === rewriteId,
    );
    assert.deepStrictEqual(
      decisions.map((d) => [d.decision, d.final]),
      [['edited', MIX]],
      "the log does not hold the mix as the writer's edit",
    );
    const entry = rewrite.history().find((h) => h.id === rewriteId);
    assert.deepStrictEqual([entry?.decision, entry?.output], ['edited', MIX]);

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original');
  });

  it('Leave All then Take All gives the proposal back, accepted whole; nothing acts without a preview', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.toggleChange'), false);
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    assert.strictEqual(result?.outcome, 'preview');
    const rewriteId = result.outcome === 'preview' ? result.rewriteId : '';
    await vscode.commands.executeCommand('cptWriter.leaveAllChanges', rewriteId);
    assert.strictEqual(api.testing.services.rewrite.snapshot().proposal, TARGET);
    assert.strictEqual(
      await vscode.commands.executeCommand('cptWriter.takeAllChanges', 'some-other-preview'),
      false,
      'a link of another preview acted on this one',
    );
    await vscode.commands.executeCommand('cptWriter.takeAllChanges', rewriteId);
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
    await api.testing.services.feedback.flush();
    const decisions = readFeedbackEvents(feedbackFile).filter(
      (e) => e.type === 'decision' && e.rewriteId === rewriteId,
    );
    assert.deepStrictEqual(
      decisions.map((d) => d.decision),
      ['accepted'],
    );
  });
});

describe('preview zone and the Comments panel', () => {
  it(
    "defaults comments.openView to 'firstFileUnresolved' and gives the thread no state, so a preview " +
      'opens no panel',
    async () => {
      const api = await getApi();
      const inspected = vscode.workspace.getConfiguration('comments').inspect<string>('openView');
      assert.strictEqual(inspected?.defaultValue, 'firstFileUnresolved', 'the manifest default did not apply');
      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await openDoc(TEXT);
      select(editor, TARGET);
      const result = await vscode.commands.executeCommand<RewriteRunResult>(
        'cptWriter.rewriteSelection',
        'formality',
        4,
      );
      assert.strictEqual(result?.outcome, 'preview');
      const shown = api.testing.services.rewrite.presenter.previewShown();
      assert.ok(shown, 'no preview zone');
      assert.strictEqual(shown.state, undefined, 'an unresolved thread would open the panel');
      await cleanUp(api);
    },
  );
});
