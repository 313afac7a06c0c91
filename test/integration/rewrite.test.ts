// The rewrite flow against a scripted engine double: preview, accept as one undoable edit, reject and
// cancel leaving the document untouched, edits during generation, partial selections and feedback events.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { fingerprintFile } from '../../src/core/engine';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { escapeText } from '../../src/vscode/preview/preview-body';
import { messagesSince, openDoc, select, useFeedbackLog, useScriptedEngine, waitFor } from './helpers';

const TEXT = '# Notes\n\nSo basically we just kind of stopped doing it one week.\n\nThe end.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const PROPOSAL = 'We discontinued the practice one week.';

function rewrite(args: unknown[] = ['formality', 4]): Thenable<RewriteRunResult | undefined> {
  return vscode.commands.executeCommand<RewriteRunResult | undefined>('cptWriter.rewriteSelection', ...args);
}

describe('rewrite preview with a scripted engine', function () {
  this.timeout(30_000);
  const suite = useFeedbackLog('cpt-feedback-');
  let api: CptWriterTestApi;
  let feedbackFile: string;
  before(() => ({ api, feedbackFile } = suite));

  it('previews without touching the document, then accept applies one edit that one undo reverts', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const version = editor.document.version;
    const result = await rewrite();
    assert.strictEqual(result?.outcome, 'preview');
    assert.strictEqual(result.outcome === 'preview' && result.proposal, PROPOSAL);
    assert.strictEqual(editor.document.getText(), TEXT, 'the preview changed the document');
    assert.strictEqual(editor.document.version, version, 'the preview edited the document');
    assert.strictEqual(editor.document.isDirty, false, 'the preview made the document dirty');
    assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys(), {
      streaming: false,
      previewVisible: true,
      rewriteActive: true,
      previewHasChanges: true,
      previewResources: [editor.document.uri.toString()],
    });

    // The preview zone below the text shows the whole proposal and the actions, which name this preview.
    const previewId = result.outcome === 'preview' ? result.rewriteId : '';
    const shown = api.testing.services.rewrite.presenter.previewShown();
    assert.ok(shown, 'no preview zone');
    assert.strictEqual(shown.line, 2, 'the zone does not hang below the rewritten text');
    assert.ok(
      shown.markdown.includes(escapeText('We')) && shown.markdown.includes(escapeText('week.')),
      shown.markdown,
    );
    assert.ok(
      shown.markdown.includes(`command:cptWriter.acceptRewrite?${encodeURIComponent(JSON.stringify([previewId]))}`),
      'the Accept link does not name the preview',
    );
    assert.match(shown.author, /Formality/);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      editor.document.uri,
    );
    const byCommand = new Map(lenses.filter((l) => l.command?.command).map((l) => [l.command!.command, l.command!]));
    for (const c of ['acceptRewrite', 'rejectRewrite', 'regenerateRewrite', 'compareRewrite', 'cancelRewrite']) {
      const lens = byCommand.get(`cptWriter.${c}`);
      assert.ok(lens, `no cptWriter.${c} CodeLens in ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
      assert.deepStrictEqual(lens.arguments, [previewId], `the ${c} CodeLens does not name the preview`);
    }
    // This host is a browser window: the writer's platform is unknown, so the row names no key (it does
    // not wrap) and the tooltip names both; the Reject key is never plain Ctrl+Backspace.
    const accept = byCommand.get('cptWriter.acceptRewrite')!;
    assert.strictEqual(accept.title, 'Accept');
    assert.match(accept.tooltip ?? '', /\(Ctrl\+Enter \/ ⌘Enter\)$/);
    assert.match(byCommand.get('cptWriter.rejectRewrite')!.tooltip ?? '', /\(Ctrl\+Shift\+Backspace \/ ⇧⌘⌫\)$/);
    assert.ok(
      lenses.every((l) => l.range.start.line === 2),
      'the CodeLens row is not above the rewritten text',
    );

    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
    assert.strictEqual(editor.document.version, version + 1, 'accept should be exactly one edit');
    assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys(), {
      streaming: false,
      previewVisible: false,
      rewriteActive: false,
      previewHasChanges: false,
      previewResources: [],
    });
    assert.strictEqual(
      api.testing.services.rewrite.presenter.previewShown(),
      undefined,
      'the preview zone stayed after accept',
    );

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original byte for byte');
  });

  it('Compare opens the proposal in place in a read-only diff; Accept from there still applies one edit', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const result = await rewrite();
    assert.strictEqual(result?.outcome, 'preview');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      editor.document.uri,
    );
    assert.ok(
      lenses.some((l) => l.command?.command === 'cptWriter.compareRewrite'),
      'no Compare CodeLens',
    );
    const uri = await vscode.commands.executeCommand<vscode.Uri>('cptWriter.compareRewrite');
    assert.ok(uri, 'Compare returned no document');
    const proposalDoc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(proposalDoc.getText(), TEXT.replace(TARGET, PROPOSAL));
    assert.strictEqual(editor.document.getText(), TEXT, 'Compare changed the document');
    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, PROPOSAL));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // With no preview, Compare says so instead of opening anything.
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.compareRewrite'), undefined);
  });

  it('reject leaves the document byte-identical and records the rejection', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const version = editor.document.version;
    const result = await rewrite();
    assert.strictEqual(result?.outcome, 'preview');
    const rejected = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rejectRewrite');
    assert.strictEqual(rejected?.outcome, 'rejected');
    assert.strictEqual(editor.document.getText(), TEXT);
    assert.strictEqual(editor.document.version, version);
    await api.testing.services.feedback.flush();
    const events = readEvents(feedbackFile);
    const rewriteEvent = events.find(
      (e) => e.type === 'rewrite' && e.id === (result.outcome === 'preview' ? result.rewriteId : ''),
    );
    assert.ok(rewriteEvent, 'no rewrite event logged');
    assert.strictEqual(rewriteEvent.original, TARGET);
    assert.strictEqual(rewriteEvent.output, PROPOSAL);
    assert.deepStrictEqual((rewriteEvent.rubric as { id: string }).id, 'formality');
    assert.strictEqual(rewriteEvent.level, 4);
    // The model is named by content: the fingerprint of the file that was loaded, and its spec as the label.
    const model = rewriteEvent.model as { file: string; label?: string; fingerprint?: string; adapters?: unknown[] };
    assert.strictEqual(model.fingerprint, (await fingerprintFile(model.file)).fingerprint);
    assert.strictEqual(model.label, vscode.workspace.getConfiguration('cptWriter').get<string>('model'));
    assert.deepStrictEqual(model.adapters, []);
    const decision = events.find((e) => e.type === 'decision' && e.rewriteId === rewriteEvent.id);
    assert.strictEqual(decision?.decision, 'rejected');
  });

  it('cancel during generation stops the stream and leaves the document byte-identical', async () => {
    const engine = await useScriptedEngine(api, { output: 'word '.repeat(200), delayMs: 20 });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const version = editor.document.version;
    const running = rewrite();
    await waitFor(
      'streaming',
      () =>
        api.testing.services.rewrite.snapshot().phase === 'streaming' &&
        (api.testing.services.rewrite.snapshot().proposal ?? '').length > 0,
    );
    assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys(), {
      streaming: true,
      previewVisible: false,
      rewriteActive: true,
      previewHasChanges: false,
      previewResources: [editor.document.uri.toString()],
    });
    // The zone streams the text as it comes, with a Cancel link and no decision links.
    const streamingShown = await waitFor('the zone to stream the text', () => {
      const shown = api.testing.services.rewrite.presenter.previewShown();
      return shown?.markdown.includes('word') && shown;
    });
    assert.ok(
      streamingShown.markdown.includes('command:cptWriter.cancelRewrite') &&
        !streamingShown.markdown.includes('command:cptWriter.acceptRewrite'),
    );
    await vscode.commands.executeCommand('cptWriter.cancelRewrite');
    const result = await running;
    assert.strictEqual(result?.outcome, 'cancelled');
    assert.ok(engine.requests[0].signal?.aborted, 'the engine request was not aborted');
    assert.strictEqual(editor.document.getText(), TEXT);
    assert.strictEqual(editor.document.version, version);
    assert.deepStrictEqual(api.testing.services.rewrite.presenter.contextKeys(), {
      streaming: false,
      previewVisible: false,
      rewriteActive: false,
      previewHasChanges: false,
      previewResources: [],
    });
    assert.strictEqual(
      api.testing.services.rewrite.presenter.previewShown(),
      undefined,
      'the preview zone stayed after cancel',
    );
  });

  it('an edit inside the target during generation is kept and nothing is overwritten', async () => {
    await useScriptedEngine(api, { output: 'word '.repeat(100), delayMs: 20 });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const from = api.testing.messages().length;
    const running = rewrite();
    await waitFor(
      'streaming',
      () =>
        api.testing.services.rewrite.snapshot().phase === 'streaming' &&
        (api.testing.services.rewrite.snapshot().proposal ?? '').length > 0,
    );
    const inside = editor.document.positionAt(TEXT.indexOf('stopped'));
    assert.ok(await editor.edit((b) => b.insert(inside, 'really ')));
    const edited = editor.document.getText();
    const result = await running;
    assert.strictEqual(result?.outcome, 'conflict');
    assert.strictEqual(editor.document.getText(), edited, "the writer's edit was overwritten");
    assert.ok(edited.includes('kind of really stopped'));
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
    const told = messagesSince(api, from).find(
      (m) => m.severity === 'warning' && /changed while it was being rewritten/.test(m.message),
    );
    assert.ok(told, 'the writer was not told');
    assert.ok(told.actions.includes('Copy Proposal'));
    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.notStrictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), edited);
  });

  it('an edit inside the target during the preview ends it and accept then writes nothing', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    assert.strictEqual((await rewrite())?.outcome, 'preview');
    const inside = editor.document.positionAt(TEXT.indexOf('basically'));
    assert.ok(await editor.edit((b) => b.delete(new vscode.Range(inside, inside.translate(0, 'basically '.length)))));
    const edited = editor.document.getText();
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), edited);
  });

  it('edits elsewhere during generation shift the target, and accept replaces exactly it', async () => {
    await useScriptedEngine(api, { output: PROPOSAL, delayMs: 30 });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const running = rewrite();
    await waitFor('streaming', () => api.testing.services.rewrite.snapshot().phase === 'streaming');
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'Intro line.\n')));
    assert.ok(
      await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), 'Appendix.\n')),
    );
    const result = await running;
    assert.strictEqual(result?.outcome, 'preview');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), `Intro line.\n${TEXT.replace(TARGET, PROPOSAL)}Appendix.\n`);
  });

  it('a partial-line selection rewrites only the selected characters', async () => {
    await useScriptedEngine(api, { output: 'ceased' });
    const editor = await openDoc(TEXT);
    select(editor, 'stopped doing');
    assert.strictEqual((await rewrite())?.outcome, 'preview');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), TEXT.replace('stopped doing', 'ceased'));
  });

  it("strips a wrapping quote pair the original did not have and keeps the original's surrounding spaces", async () => {
    await useScriptedEngine(api, { output: `"${PROPOSAL}"\n` });
    const editor = await openDoc('Before  so basically it stopped  after.');
    select(editor, ' so basically it stopped ');
    const result = await rewrite();
    assert.strictEqual(result?.outcome === 'preview' && result.proposal, ` ${PROPOSAL} `);
  });

  it('with several selections rewrites the primary one only and says so', async () => {
    await useScriptedEngine(api, { output: 'X' });
    const editor = await openDoc('alpha beta gamma delta');
    const from = api.testing.messages().length;
    editor.selections = [new vscode.Selection(0, 6, 0, 10), new vscode.Selection(0, 17, 0, 22)];
    assert.strictEqual((await rewrite())?.outcome, 'preview');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), 'alpha X gamma delta');
    assert.ok(messagesSince(api, from).some((m) => /one selection at a time/.test(m.message)));
  });

  it('regenerate logs the first proposal as rejected, and accepting the second forms a pair in the log', async () => {
    let n = 0;
    const engine = await useScriptedEngine(api, { output: () => `Candidate number ${++n}.` });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const first = await rewrite(['concision', 2]);
    assert.strictEqual(first?.outcome, 'preview');
    const second = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.regenerateRewrite');
    assert.strictEqual(second?.outcome, 'preview');
    assert.ok(first.outcome === 'preview' && second.outcome === 'preview' && first.rewriteId !== second.rewriteId);
    assert.strictEqual(engine.requests.length, 2);
    assert.strictEqual(engine.requests[0].system, engine.requests[1].system, 'regenerate changed the style');
    assert.strictEqual(engine.requests[0].user, engine.requests[1].user, 'regenerate changed the text');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, 'Candidate number 2.'));
    await api.testing.services.feedback.flush();
    const events = readEvents(feedbackFile);
    const decisionsFor = (id: string) =>
      events.filter((e) => e.type === 'decision' && e.rewriteId === id).map((e) => e.decision);
    assert.deepStrictEqual(decisionsFor(first.outcome === 'preview' ? first.rewriteId : ''), ['rejected']);
    assert.deepStrictEqual(decisionsFor(second.outcome === 'preview' ? second.rewriteId : ''), ['accepted']);
    const rewrites = events.filter(
      (e) =>
        e.type === 'rewrite' &&
        (e.id === (first as { rewriteId: string }).rewriteId || e.id === (second as { rewriteId: string }).rewriteId),
    );
    assert.strictEqual(rewrites.length, 2);
    assert.strictEqual(rewrites[0].original, rewrites[1].original);
  });

  it(
    'an action that names a preview no longer open (a stale CodeLens or link) does nothing and records ' + 'nothing',
    async () => {
      let n = 0;
      await useScriptedEngine(api, { output: () => `Candidate number ${++n}.` });
      const editor = await openDoc(TEXT);
      select(editor, TARGET);
      const first = await rewrite();
      const second = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.regenerateRewrite');
      assert.ok(first?.outcome === 'preview' && second?.outcome === 'preview');
      for (const command of ['acceptRewrite', 'rejectRewrite', 'regenerateRewrite', 'cancelRewrite']) {
        const late: RewriteRunResult | undefined = await vscode.commands.executeCommand<RewriteRunResult>(
          `cptWriter.${command}`,
          first.rewriteId,
        );
        assert.strictEqual(late?.outcome, 'cancelled', command);
        assert.match(late.message ?? '', /no longer open/, command);
      }
      const elsewhere = await vscode.commands.executeCommand<RewriteRunResult>(
        'cptWriter.acceptRewrite',
        vscode.Uri.file(path.join(os.tmpdir(), 'another.md')),
      );
      assert.strictEqual(elsewhere?.outcome, 'cancelled');
      assert.strictEqual(
        api.testing.services.rewrite.snapshot().phase,
        'preview',
        'a stale action ended the open preview',
      );
      assert.strictEqual(editor.document.getText(), TEXT);
      await api.testing.services.feedback.flush();
      const decisions = (id: string) =>
        readEvents(feedbackFile)
          .filter((e) => e.type === 'decision' && e.rewriteId === id)
          .map((e) => e.decision);
      assert.deepStrictEqual(
        decisions(first.rewriteId),
        ['rejected'],
        'only Regenerate decided about the first proposal',
      );
      assert.deepStrictEqual(decisions(second.rewriteId), [], 'a stale action decided about the open preview');
      // The open preview's own id (its CodeLens, its link) and its document act on it.
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite', editor.document.uri))
          ?.outcome,
        'accepted',
      );
      assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, 'Candidate number 2.'));
    },
  );

  it('an engine error leaves the text as it was and tells the writer, with Show Log', async () => {
    await useScriptedEngine(api, { rewriteError: { code: 'INTERNAL', message: 'scripted failure' } });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const version = editor.document.version;
    const from = api.testing.messages().length;
    const result = await rewrite();
    assert.strictEqual(result?.outcome, 'error');
    assert.strictEqual(editor.document.getText(), TEXT);
    assert.strictEqual(editor.document.version, version);
    const told = messagesSince(api, from).find((m) => m.severity === 'error' && m.message.includes('scripted failure'));
    assert.ok(told, 'no error notification');
    assert.ok(told.actions.includes('Show Log'));
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
  });

  it('rewrite with the current style uses the style picked last', async () => {
    const engine = await useScriptedEngine(api, { output: PROPOSAL });
    await vscode.commands.executeCommand('cptWriter.selectStyle', 'warmth', 5);
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const seen: string[] = [];
    const sub = api.testing.services.rewrite.onDidRewrite((e) => {
      if (e.type === 'started') seen.push(`${e.rubricId}:${e.level}`);
    });
    try {
      const result = await vscode.commands.executeCommand<RewriteRunResult>(
        'cptWriter.rewriteSelectionWithCurrentStyle',
      );
      assert.strictEqual(result?.outcome, 'preview');
    } finally {
      sub.dispose();
    }
    assert.deepStrictEqual(seen, ['warmth:5']);
    assert.strictEqual(engine.requests.length, 1);
    // rewriteSelection with explicit arguments also becomes the current style
    await vscode.commands.executeCommand('cptWriter.cancelRewrite');
    select(editor, TARGET);
    assert.strictEqual((await rewrite(['concision', 1]))?.outcome, 'preview');
    assert.deepStrictEqual(api.testing.services.style.get(), { rubricId: 'concision', level: 1 });
  });
});

function readEvents(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
