// The sidebar's typed deps (src/vscode/sidebar/adapter.ts), built from the running extension's services:
// each action is a direct call that answers with its result, the same one the matching command gives.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { createRewriteActions } from '../../src/vscode/preview/rewrite-actions';
import type { RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import type { RewriteView } from '../../src/shared/protocol';
import { sidebarDeps } from '../../src/vscode/sidebar/adapter';
import type { SidebarDeps } from '../../src/vscode/sidebar/deps';
import { cleanUp, getApi, openDoc, select, useScriptedEngine } from './helpers';

const TEXT = 'Keep this.\nSo basically we just kind of stopped doing it one week.\nKeep that.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const PROPOSAL = 'We discontinued the practice one week.';

describe('sidebar deps', function () {
  this.timeout(30_000);
  let api: CptWriterTestApi;
  let deps: SidebarDeps & vscode.Disposable;

  before(async () => {
    api = await getApi();
    deps = sidebarDeps(api.testing.services, createRewriteActions(api.testing.services));
  });
  afterEach(async () => {
    await cleanUp(api);
  });
  after(async () => {
    deps.dispose();
    await api.testing.setEngineFactory(undefined);
  });

  it("startRewrite resolves with the run's result once the proposal is complete, not on the first event", async () => {
    await useScriptedEngine(api, { output: PROPOSAL, delayMs: 40 });
    await api.testing.services.style.set({ rubricId: 'formality', level: 4 });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const events: RewriteStreamEvent['type'][] = [];
    const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e.type));
    const views: RewriteView[] = [];
    const viewSub = deps.onDidChangeRewriteView((v) => views.push(v));
    let result;
    try {
      result = await deps.startRewrite();
    } finally {
      sub.dispose();
      viewSub.dispose();
    }
    assert.strictEqual(result?.outcome, 'preview');
    assert.strictEqual(result.outcome === 'preview' && result.proposal, PROPOSAL);
    assert.strictEqual(events[0], 'started');
    assert.strictEqual(events.at(-1), 'done', `resolved before the rewrite finished: ${events.join(' ')}`);
    assert.ok(events.filter((t) => t === 'token').length > 1, 'the scripted stream should take several tokens');
    // The sidebar's view is the session's state: it streamed the text as it grew, then showed the preview.
    const streamed = views.filter((v) => v.phase === 'streaming').map((v) => v.text);
    assert.ok(streamed.length > 1, `the sidebar saw no streaming: ${JSON.stringify(views)}`);
    assert.ok(
      streamed.every((t, i) => i === 0 || t.startsWith(streamed[i - 1]!)),
      `the streamed text did not grow: ${streamed.join(' | ')}`,
    );
    const shown = deps.getRewriteView();
    assert.strictEqual(shown?.phase, 'done');
    assert.strictEqual(shown.text, PROPOSAL);
    assert.ok(shown.stats && shown.stats.outputTokens > 0, 'the sidebar shows no stats');

    const accepted = await deps.acceptRewrite();
    assert.strictEqual(accepted.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
  });

  it('startRewrite answers with why nothing started, and rejectRewrite leaves the text as it was', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    // Nothing selected and the cursor on a blank line: no paragraph to rewrite.
    const blank = await openDoc('\n\nKeep this.\n');
    blank.selection = new vscode.Selection(0, 0, 0, 0);
    const none = await deps.startRewrite();
    assert.strictEqual(none?.outcome, 'no-selection');
    assert.strictEqual(deps.getRewriteView()?.phase, 'error', 'the sidebar does not show why nothing started');
    assert.strictEqual(deps.getRewriteView()?.error, none.message);

    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    assert.strictEqual((await deps.startRewrite())?.outcome, 'preview');
    assert.strictEqual((await deps.rejectRewrite()).outcome, 'rejected');
    assert.strictEqual(editor.document.getText(), TEXT);
  });
});
