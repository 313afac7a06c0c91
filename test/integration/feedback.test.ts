// Feedback in the editor, end to end in the host: the first-use notice, edits after an accept becoming
// `edited` decisions (on save and after a quiet period), Build Preference Pairs turning them into an
// edit pair, and the Open / Clear Feedback Log commands (clearing moves the log to a backup).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { isDatasetCard } from '../../src/core/pairs/card';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { BuildPairsResult, ClearLogResult, OpenLogResult } from '../../src/vscode/feedback';
import type { RewriteRunResult } from '../../src/vscode/preview/rewrite-controller';
import { cleanUp, getApi, messagesSince, openDoc, select, setSetting, useScriptedEngine, waitFor } from './helpers';

const TEXT = '# Notes\n\nSo basically we just kind of stopped doing it one week.\n\nThe end.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const PROPOSAL = 'We discontinued the practice one week.';

type Event = Record<string, unknown>;

function readEvents(file: string): Event[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
}

function decisionsFor(file: string, rewriteId: string): { decision: unknown; final: unknown }[] {
  return readEvents(file)
    .filter((e) => e.type === 'decision' && e.rewriteId === rewriteId)
    .map((e) => ({ decision: e.decision, final: e.final }));
}

/** Rewrites TARGET in `editor` with the scripted engine and accepts; returns the rewrite id. */
async function rewriteAndAccept(api: CptWriterTestApi, editor: vscode.TextEditor): Promise<string> {
  select(editor, TARGET);
  const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
  assert.strictEqual(result?.outcome, 'preview');
  const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
  assert.strictEqual(accepted?.outcome, 'accepted');
  const id = result.outcome === 'preview' ? result.rewriteId : '';
  await waitFor('the accepted text to be tracked', () =>
    api.testing.feedback.edits.tracked().some((t) => t.rewriteId === id),
  );
  return id;
}

async function save(doc: vscode.TextDocument): Promise<void> {
  await doc.save();
  assert.ok(!doc.isDirty, `${doc.uri.fsPath} was not saved`);
}

async function replaceIn(editor: vscode.TextEditor, find: string, replacement: string): Promise<void> {
  const at = editor.document.getText().indexOf(find);
  assert.ok(at >= 0, `"${find}" is not in the document`);
  const range = new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + find.length));
  assert.ok(await editor.edit((b) => b.replace(range, replacement)), 'the editor refused the edit');
}

describe('feedback in the editor', function () {
  this.timeout(40_000);
  let api: CptWriterTestApi;
  let dir: string;
  let feedbackFile: string;

  before(async () => {
    api = await getApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-feedback-ui-'));
    feedbackFile = path.join(dir, 'feedback.jsonl');
    await setSetting('feedback.path', feedbackFile);
    await setSetting('feedback.enabled', true);
    // The web host auto-saves after a delay by default; this suite decides when a save happens.
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    api.testing.feedback.edits.quietMs = 30_000;
    await cleanUp(api);
  });

  after(async () => {
    await api.testing.setEngineFactory(undefined);
    await setSetting('feedback.path', undefined);
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
  });

  it(
    'tells the writer once, on the first recorded rewrite, what is recorded and where, with Open Log ' + 'and Turn Off',
    async () => {
      await api.testing.feedback.resetFirstUseNotice();
      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await openDoc(TEXT);
      const from = api.testing.messages().length;
      select(editor, TARGET);
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4))?.outcome,
        'preview',
      );
      await vscode.commands.executeCommand('cptWriter.rejectRewrite');
      select(editor, TARGET);
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4))?.outcome,
        'preview',
      );
      await vscode.commands.executeCommand('cptWriter.rejectRewrite');
      const notices = messagesSince(api, from).filter((m) => m.message.includes('feedback log'));
      assert.strictEqual(notices.length, 1, JSON.stringify(notices));
      for (const what of [
        'original text',
        'rewrite',
        'style',
        'decision',
        "document's path and language",
        feedbackFile,
      ]) {
        assert.ok(notices[0].message.includes(what), `the notice does not mention ${what}: ${notices[0].message}`);
      }
      assert.deepStrictEqual(notices[0].actions, ['Open Log', 'Turn Off']);
    },
  );

  it(
    "rewrite → accept → edit inside → save → Build Preference Pairs gives an edit pair with the writer's " +
      'text as chosen',
    async () => {
      const file = path.join(dir, 'notes.md');
      fs.writeFileSync(file, TEXT);
      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), {
        preview: false,
      });
      const id = await rewriteAndAccept(api, editor);

      // An edit before the accepted text only moves it; the edit inside changes the final text.
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'Intro.\n\n')));
      await replaceIn(editor, 'discontinued the practice', 'stopped the practice');
      const final = 'We stopped the practice one week.';
      await api.testing.services.feedback.flush(); // writes what is queued, without settling pending edits
      assert.deepStrictEqual(
        decisionsFor(feedbackFile, id).map((d) => d.decision),
        ['accepted'],
        'an edit was recorded before the burst settled',
      );
      await save(editor.document);
      await api.testing.feedback.flush();
      assert.deepStrictEqual(decisionsFor(feedbackFile, id), [
        { decision: 'accepted', final: PROPOSAL },
        { decision: 'edited', final },
      ]);

      // Saving again without further edits records nothing new.
      await replaceIn(editor, 'The end.', 'The end!');
      await save(editor.document);
      await api.testing.feedback.flush();
      assert.strictEqual(decisionsFor(feedbackFile, id).length, 2, 'an edit outside the accepted text was recorded');

      const out = path.join(dir, 'pairs.jsonl');
      const from = api.testing.messages().length;
      const built = await vscode.commands.executeCommand<BuildPairsResult>('cptWriter.buildPreferencePairs', {
        logs: [feedbackFile],
        out,
        kto: true,
      });
      assert.ok(built, 'the command returned nothing (see the error notification)');
      const pairs = fs
        .readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map(
          (l) =>
            JSON.parse(l) as {
              prompt: { role: string; content: string }[];
              chosen: { content: string }[];
              rejected: { content: string }[];
              source: string;
              ids: string[];
            },
        );
      assert.strictEqual(built.pairs, pairs.length);
      const edit = pairs.find((p) => p.source === 'edit' && p.ids.includes(id));
      assert.ok(edit, `no edit pair for ${id} in ${JSON.stringify(pairs)}`);
      assert.strictEqual(edit.chosen[0].content, final);
      assert.strictEqual(edit.rejected[0].content, PROPOSAL);
      assert.deepStrictEqual(
        edit.prompt.map((m) => m.role),
        ['system', 'user'],
      );
      assert.ok(edit.prompt[1].content.includes(TARGET), 'the prompt does not hold the original text');
      assert.ok(fs.existsSync(path.join(dir, 'pairs.kto.jsonl')), 'the KTO file was not written');
      assert.deepStrictEqual(
        built.outputs.map((o) => path.basename(o.path)),
        ['pairs.jsonl', 'pairs.kto.jsonl'],
      );

      // The report opens as a Markdown document, and the writer is told how many pairs were written where.
      const report = vscode.workspace.textDocuments.find((d) => d.uri.toString() === built.reportUri);
      assert.ok(report, 'the report document is not open');
      assert.strictEqual(report.languageId, 'markdown');
      assert.ok(report.getText().startsWith('# Preference pairs'), report.getText().slice(0, 200));
      const told = messagesSince(api, from).find(
        (m) =>
          m.severity === 'info' && m.message.includes(`${pairs.length} preference pair`) && m.message.includes(out),
      );
      assert.ok(told, JSON.stringify(messagesSince(api, from)));
    },
  );

  it('with auto save after a delay, a save does not end the burst (the quiet period does)', async () => {
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    await files.update('autoSaveDelay', 600_000, vscode.ConfigurationTarget.Global);
    try {
      const file = path.join(dir, 'autosaved.md');
      fs.writeFileSync(file, TEXT);
      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), {
        preview: false,
      });
      const id = await rewriteAndAccept(api, editor);
      await replaceIn(editor, 'one week', 'last week');
      await save(editor.document);
      await api.testing.services.feedback.flush();
      assert.deepStrictEqual(
        decisionsFor(feedbackFile, id).map((d) => d.decision),
        ['accepted'],
      );
      api.testing.feedback.edits.settleAll();
      await api.testing.services.feedback.flush();
      assert.deepStrictEqual(decisionsFor(feedbackFile, id).at(-1), {
        decision: 'edited',
        final: 'We discontinued the practice last week.',
      });
    } finally {
      await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it(
    'records an edit burst after a quiet period, a later burst again, and editing back to the output ' + 'as accepted',
    async () => {
      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await openDoc(TEXT);
      const id = await rewriteAndAccept(api, editor);
      // Long enough that two edits made back to back form one burst even on a loaded machine.
      api.testing.feedback.edits.quietMs = 1000;
      const latest = async () => {
        await api.testing.feedback.flush();
        return decisionsFor(feedbackFile, id).at(-1);
      };
      const settled = async (n: number) =>
        waitFor(`${n} decisions`, () => decisionsFor(feedbackFile, id).length >= n && true, 10_000);

      await replaceIn(editor, 'one week', 'for a week');
      await replaceIn(editor, 'for a week', 'for one week');
      await settled(2);
      assert.deepStrictEqual(await latest(), {
        decision: 'edited',
        final: 'We discontinued the practice for one week.',
      });
      // Settled: no quiet-period timer armed and nothing unrecorded, so no later write can come from this burst.
      await waitFor('the burst to settle', () =>
        api.testing.feedback.edits.tracked().every((t) => t.timer === undefined && !t.dirty),
      );
      await api.testing.feedback.flush();
      assert.strictEqual(decisionsFor(feedbackFile, id).length, 2, 'one burst was recorded more than once');

      await replaceIn(editor, 'discontinued', 'dropped');
      await settled(3);
      assert.deepStrictEqual(await latest(), { decision: 'edited', final: 'We dropped the practice for one week.' });

      await replaceIn(editor, 'dropped the practice for one week', 'discontinued the practice one week');
      await settled(4);
      assert.deepStrictEqual(await latest(), { decision: 'accepted', final: PROPOSAL });
    },
  );

  it('an undo of the accept is recorded as a rejection, and deleting the accepted text stops tracking it', async () => {
    await useScriptedEngine(api, { output: PROPOSAL });
    const editor = await openDoc(TEXT);
    const id = await rewriteAndAccept(api, editor);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT);
    api.testing.feedback.edits.settleAll();
    await api.testing.feedback.flush();
    assert.deepStrictEqual(decisionsFor(feedbackFile, id).at(-1), { decision: 'rejected', final: PROPOSAL });
    // The sidebar's history says what the log says: rejected, not the Accepted it showed at first.
    assert.strictEqual(api.testing.services.rewrite.history().find((h) => h.id === id)?.decision, 'rejected');

    const second = await rewriteAndAccept(api, editor);
    await replaceIn(editor, PROPOSAL, '');
    assert.ok(!api.testing.feedback.edits.tracked().some((t) => t.rewriteId === second), 'still tracking deleted text');
    api.testing.feedback.edits.settleAll();
    await api.testing.feedback.flush();
    assert.deepStrictEqual(
      decisionsFor(feedbackFile, second).map((d) => d.decision),
      ['accepted'],
    );
  });

  it(
    'Build Preference Pairs without arguments: current log, pairs.jsonl in the workspace, no extras, ' +
      'in three Enters',
    async () => {
      const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(workspace, 'no workspace folder open');
      const out = path.join(workspace, 'pairs.jsonl');
      fs.rmSync(out, { force: true });
      await api.testing.feedback.flush();
      const running = vscode.commands.executeCommand<BuildPairsResult>('cptWriter.buildPreferencePairs');
      let result: BuildPairsResult | undefined;
      void running.then((r) => {
        result = r;
      });
      try {
        // Each Enter takes the default of the step on screen: the log pick, the save dialog, the extras pick;
        // one pressed between two steps does nothing. A wrong default would show in the output path below.
        await waitFor(
          'the three steps to be answered with Enter',
          () => {
            if (result) return true;
            void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
            return false;
          },
          30_000,
        );
        const built = await running;
        assert.ok(built, 'the command ended without building');
        assert.deepStrictEqual(
          built.outputs.map((o) => o.path),
          [out],
        );
        assert.ok(fs.existsSync(out));
        assert.ok(built.pairs >= 1, 'the current log holds an edit pair from the earlier test');
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        fs.rmSync(out, { force: true });
      }
    },
  );

  it('Build Preference Pairs reports a missing log or an output on top of a log, and writes nothing', async () => {
    const from = api.testing.messages().length;
    const missing = path.join(dir, 'no-such-log.jsonl');
    const out = path.join(dir, 'never.jsonl');
    assert.strictEqual(
      await vscode.commands.executeCommand('cptWriter.buildPreferencePairs', { logs: [missing], out }),
      undefined,
    );
    assert.ok(
      messagesSince(api, from).some((m) => m.severity === 'error' && m.message.includes(missing)),
      JSON.stringify(messagesSince(api, from)),
    );
    assert.ok(!fs.existsSync(out));

    await api.testing.feedback.flush();
    const before = fs.readFileSync(feedbackFile, 'utf8');
    assert.strictEqual(
      await vscode.commands.executeCommand('cptWriter.buildPreferencePairs', {
        logs: [feedbackFile],
        out: feedbackFile,
      }),
      undefined,
    );
    assert.ok(messagesSince(api, from).some((m) => m.severity === 'error' && m.message.includes('one of the logs')));
    assert.strictEqual(fs.readFileSync(feedbackFile, 'utf8'), before, 'the log was changed');
  });

  it(
    'Build Preference Pairs caps contrast pairs per text with cptWriter.pairs.* and says how many it ' + 'left out',
    async () => {
      const log = path.join(dir, 'repeats.jsonl');
      const lines: string[] = [];
      for (let i = 0; i < 12; i++) {
        const level = i % 2 === 0 ? 1 : 5;
        const time = new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString();
        const output = `Take ${i} at level ${level}.`;
        lines.push(
          JSON.stringify({
            v: 1,
            type: 'rewrite',
            id: `r${i}`,
            time,
            rubric: { id: 'formality', hash: 'h' },
            level,
            mode: 'directive',
            system: `s${level}`,
            user: 'u',
            original: 'One text.',
            output,
            model: { name: 'm', file: 'f' },
            sampling: {},
            document: { languageId: 'plaintext', path: 'p' },
          }),
          JSON.stringify({
            v: 1,
            type: 'decision',
            id: `d${i}`,
            time,
            rewriteId: `r${i}`,
            decision: 'accepted',
            final: output,
          }),
        );
      }
      fs.writeFileSync(log, `${lines.join('\n')}\n`);
      await setSetting('pairs.maxContrastPerLevelPair', 2);
      try {
        const built = await vscode.commands.executeCommand<BuildPairsResult>('cptWriter.buildPreferencePairs', {
          logs: [log],
          out: path.join(dir, 'capped.jsonl'),
          showReport: false,
        });
        assert.strictEqual(built?.pairs, 2);
        // 6 rewrites at each level: 6 × 6 combinations × 2 directions = 72, of which 2 were made.
        assert.match(
          built.report,
          /Contrast pairs capped: 70 not made \(at most 40 per text and rubric, 2 per two levels/,
        );
      } finally {
        await setSetting('pairs.maxContrastPerLevelPair', undefined);
      }
    },
  );

  it('Build Preference Pairs writes a dataset card beside the pairs when asked, never over a README of your own', async () => {
    await api.testing.feedback.flush();
    const build = (out: string) =>
      vscode.commands.executeCommand<BuildPairsResult | undefined>('cptWriter.buildPreferencePairs', {
        logs: [feedbackFile],
        out,
        card: true,
        showReport: false,
      });
    const cardDir = fs.mkdtempSync(path.join(dir, 'card-'));
    const out = path.join(cardDir, 'pairs.jsonl');
    const built = await build(out);
    assert.ok(built, 'the command returned nothing (see the error notification)');
    const card = path.join(cardDir, 'README.md');
    assert.deepStrictEqual(
      built.outputs.map((o) => o.path),
      [out, card],
    );
    const text = fs.readFileSync(card, 'utf8');
    assert.ok(isDatasetCard(text), text.slice(0, 300));
    assert.match(text, /path: "?pairs\.jsonl"?/);

    const own = fs.mkdtempSync(path.join(dir, 'own-'));
    fs.writeFileSync(path.join(own, 'README.md'), '# My notes\n');
    const from = api.testing.messages().length;
    assert.strictEqual(await build(path.join(own, 'pairs.jsonl')), undefined);
    assert.ok(
      messagesSince(api, from).some((m) => m.severity === 'error' && m.message.includes('a README of your own')),
      JSON.stringify(messagesSince(api, from)),
    );
    assert.strictEqual(fs.readFileSync(path.join(own, 'README.md'), 'utf8'), '# My notes\n');
    assert.ok(!fs.existsSync(path.join(own, 'pairs.jsonl')), 'pairs were written beside a README of your own');
  });

  it('Open Feedback Log opens the JSONL (or says there is none yet); Clear moves it to a dated backup', async () => {
    const own = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-feedback-clear-')), 'log.jsonl');
    await setSetting('feedback.path', own);
    try {
      let from = api.testing.messages().length;
      const none = await vscode.commands.executeCommand<OpenLogResult>('cptWriter.openFeedbackLog');
      assert.deepStrictEqual(none, { state: 'missing', path: own });
      assert.ok(
        messagesSince(api, from).some(
          (m) => m.message.includes('no feedback has been recorded yet') && m.message.includes(own),
        ),
      );

      await useScriptedEngine(api, { output: PROPOSAL });
      const editor = await openDoc(TEXT);
      select(editor, TARGET);
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4))?.outcome,
        'preview',
      );
      await vscode.commands.executeCommand('cptWriter.rejectRewrite');

      const opened = await vscode.commands.executeCommand<OpenLogResult>('cptWriter.openFeedbackLog');
      assert.strictEqual(opened?.state, 'opened');
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, own);
      const content = fs.readFileSync(own, 'utf8');
      assert.deepStrictEqual(
        readEvents(own).map((e) => e.type),
        ['rewrite', 'decision'],
      );

      from = api.testing.messages().length;
      const cleared = await vscode.commands.executeCommand<ClearLogResult>('cptWriter.clearFeedbackLog', {
        confirmed: true,
      });
      assert.strictEqual(cleared?.state, 'cleared');
      const backup = cleared.state === 'cleared' ? cleared.backup : '';
      assert.ok(!fs.existsSync(own), 'the log is still there');
      assert.strictEqual(path.dirname(backup), path.dirname(own));
      assert.match(path.basename(backup), /^log\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?\.jsonl$/);
      assert.strictEqual(fs.readFileSync(backup, 'utf8'), content, 'the backup differs from the log');
      assert.ok(
        messagesSince(api, from).some((m) => m.message.includes(backup)),
        'the writer was not told where the backup is',
      );

      assert.strictEqual(
        (await vscode.commands.executeCommand<ClearLogResult>('cptWriter.clearFeedbackLog', { confirmed: true }))
          ?.state,
        'missing',
      );
      fs.writeFileSync(own, '');
      assert.strictEqual(
        (await vscode.commands.executeCommand<OpenLogResult>('cptWriter.openFeedbackLog'))?.state,
        'empty',
      );
    } finally {
      await setSetting('feedback.path', feedbackFile);
    }
  });
});
