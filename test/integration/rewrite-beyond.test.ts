// Beyond the selection, end to end in the host with a scripted engine: with nothing selected the
// paragraph at the cursor is rewritten; a selection longer than the model's budget is rewritten
// paragraph by paragraph into one preview with one Accept and one undo, each part logged with its own
// prompt and followed on its own by the edit tracker; the surrounding paragraphs reach the model as
// read-only context (cptWriter.context.maxTokens, 0 = off); and a one-off note reaches the prompt after
// the part the engine keeps warm, the log and the prompts of the pairs built from it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import { createRewriteActions } from '../../src/vscode/preview/rewrite-actions';
import type { RewriteRunResult, RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import { sidebarDeps } from '../../src/vscode/sidebar/adapter';
import { cleanUp, getApi, openDoc, select, setSetting, useScriptedEngine, waitFor } from './helpers';

const P1 = 'The first paragraph says what the meeting was for and who came to it.';
const P2 = 'The second paragraph lists what was decided, in the order it was decided.';
const P3 = 'The third paragraph says what happens next and who is going to do it.';
const TEXT = `# Minutes\n\n${P1}\n\n${P2}\n\n${P3}\n\nSigned, the secretary.\n`;

type Event = Record<string, unknown>;

function readEvents(file: string): Event[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
}

function rewrite(args: unknown): Thenable<RewriteRunResult | undefined> {
  return vscode.commands.executeCommand<RewriteRunResult | undefined>('cptWriter.rewriteSelection', args);
}

/** Puts the cursor at the first occurrence of `text` (plus `offset`), selecting nothing. */
function cursorAt(editor: vscode.TextEditor, text: string, offset = 0): void {
  const at = editor.document.getText().indexOf(text);
  assert.ok(at >= 0);
  const p = editor.document.positionAt(at + offset);
  editor.selection = new vscode.Selection(p, p);
}

describe('rewrite beyond the selection', function () {
  this.timeout(40_000);
  let api: CptWriterTestApi;
  let dir: string;
  let feedbackFile: string;
  let n = 0;

  before(async () => {
    api = await getApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-beyond-'));
    await setSetting('feedback.enabled', true);
    // The web host auto-saves after a delay; the edit tracker's settling must not depend on it.
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  beforeEach(async () => {
    feedbackFile = path.join(dir, `feedback-${++n}.jsonl`);
    await setSetting('feedback.path', feedbackFile);
  });

  afterEach(async () => {
    api.testing.feedback.edits.quietMs = 30_000;
    await setSetting('maxTokens', undefined);
    await setSetting('context.maxTokens', undefined);
    await cleanUp(api);
  });

  after(async () => {
    await api.testing.setEngineFactory(undefined);
    await setSetting('feedback.path', undefined);
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
  });

  it('with nothing selected, rewrites the paragraph at the cursor: one Accept, one undo', async () => {
    const engine = await useScriptedEngine(api, { output: 'Decisions, in order.' });
    const editor = await openDoc(TEXT);
    cursorAt(editor, P2, 10);
    const version = editor.document.version;
    const result = await rewrite({ rubricId: 'concision', level: 4 });
    assert.strictEqual(result?.outcome, 'preview');
    assert.strictEqual(api.testing.services.rewrite.snapshot().original, P2, 'not the paragraph at the cursor');
    assert.strictEqual(engine.requests.length, 1);
    assert.strictEqual(editor.document.version, version, 'the preview edited the document');
    const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
    assert.strictEqual(accepted?.outcome, 'accepted');
    assert.strictEqual(editor.document.getText(), TEXT.replace(P2, 'Decisions, in order.'));
    assert.strictEqual(editor.document.version, version + 1, 'accept should be exactly one edit');
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original byte for byte');
  });

  it('with the cursor on a blank line and nothing selected, says what to do and rewrites nothing', async () => {
    const engine = await useScriptedEngine(api, { output: 'Never used.' });
    const editor = await openDoc(TEXT);
    const blank = new vscode.Position(1, 0);
    editor.selection = new vscode.Selection(blank, blank);
    const from = api.testing.messages().length;
    const result = await rewrite({ rubricId: 'concision', level: 4 });
    assert.strictEqual(result?.outcome, 'no-selection');
    assert.strictEqual(engine.requests.length, 0);
    assert.ok(
      api.testing
        .messages()
        .slice(from)
        .some((m) => /put the cursor in a paragraph/.test(m.message)),
    );
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
  });

  it(
    'rewrites a selection longer than the budget paragraph by paragraph: one preview, one Accept, one ' +
      'undo, each part logged',
    async () => {
      // With 32 tokens of output a part gets the smallest budget, 32 tokens of text: one paragraph (about
      // 19 by the estimate) fits, two do not.
      await setSetting('maxTokens', 32);
      let k = 0;
      const engine = await useScriptedEngine(api, { output: () => `Part ${++k} rewritten.` });
      const editor = await openDoc(TEXT);
      select(editor, `${P1}\n\n${P2}\n\n${P3}`);
      const events: RewriteStreamEvent[] = [];
      const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
      let result: RewriteRunResult | undefined;
      try {
        result = await rewrite({ rubricId: 'formality', level: 4 });
      } finally {
        sub.dispose();
      }
      const proposal = 'Part 1 rewritten.\n\nPart 2 rewritten.\n\nPart 3 rewritten.';
      assert.strictEqual(result?.outcome, 'preview');
      assert.strictEqual(result.proposal, proposal, 'the parts are not joined with the original separators');
      assert.strictEqual(engine.requests.length, 3, 'not one request per paragraph');
      assert.strictEqual(result.rewriteIds.length, 3);
      assert.strictEqual(result.rewriteIds[0], result.rewriteId, 'the preview is known by its first part');
      // One stream for the whole preview, whose pieces add up to the proposal, and one 'done'.
      const mine = events.filter((e) => e.id === result.rewriteId);
      assert.deepStrictEqual(
        mine.map((e) => e.type).filter((t) => t !== 'token'),
        ['started', 'done'],
      );
      assert.strictEqual(
        mine
          .filter((e) => e.type === 'token')
          .map((e) => (e.type === 'token' ? e.text : ''))
          .join(''),
        proposal,
      );
      // Each part read its neighbours as context: the second part saw the first and the third.
      assert.ok(
        engine.requests[1].user.includes(P1) && engine.requests[1].user.includes(P3),
        'the middle part had no context',
      );
      assert.ok(!engine.requests[1].user.includes(`<text>\n${P1}`), 'a neighbour was sent as text to rewrite');
      const shown = api.testing.services.rewrite.presenter.previewShown();
      assert.ok(
        shown?.markdown.replace(/<[^>]+>/g, '').includes('Part 3 rewritten'),
        'the zone does not show the whole proposal',
      );
      assert.match(api.testing.services.rewrite.presenter.lensShown()?.heading ?? '', /3 parts/);

      const version = editor.document.version;
      const accepted = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite');
      assert.strictEqual(accepted?.outcome, 'accepted');
      assert.strictEqual(editor.document.getText(), TEXT.replace(`${P1}\n\n${P2}\n\n${P3}`, proposal));
      assert.strictEqual(editor.document.version, version + 1, 'the parts were not written as one edit');

      await api.testing.services.feedback.flush();
      const log = readEvents(feedbackFile);
      const rewrites = log.filter((e) => e.type === 'rewrite');
      assert.deepStrictEqual(
        rewrites.map((e) => e.id),
        result.rewriteIds,
      );
      assert.deepStrictEqual(
        rewrites.map((e) => e.original),
        [P1, P2, P3],
      );
      assert.deepStrictEqual(
        rewrites.map((e) => (e.part as { index: number }).index),
        [0, 1, 2],
      );
      assert.strictEqual(
        new Set(rewrites.map((e) => (e.part as { group: string }).group)).size,
        1,
        'the parts are not one group',
      );
      assert.deepStrictEqual(
        rewrites.map((e) => e.user),
        engine.requests.map((r) => r.user),
        'a part was logged with a prompt it was not sent',
      );
      const decisions = log.filter((e) => e.type === 'decision');
      assert.deepStrictEqual(
        decisions.map((e) => [e.rewriteId, e.decision, e.final]),
        result.rewriteIds.map((id, i) => [id, 'accepted', `Part ${i + 1} rewritten.`]),
      );

      await vscode.commands.executeCommand('undo');
      assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original byte for byte');
    },
  );

  it("follows each accepted part on its own: an edit inside one part is that part's decision only", async () => {
    await setSetting('maxTokens', 32);
    let k = 0;
    await useScriptedEngine(api, { output: () => `Part ${++k} rewritten.` });
    const editor = await openDoc(TEXT);
    select(editor, `${P1}\n\n${P2}\n\n${P3}`);
    const result = await rewrite({ rubricId: 'formality', level: 4 });
    assert.ok(result?.outcome === 'preview');
    await vscode.commands.executeCommand('cptWriter.acceptRewrite');
    const tracked = await waitFor('the three parts to be followed', () => {
      const t = api.testing.feedback.edits.tracked().filter((x) => result.rewriteIds.includes(x.rewriteId));
      return t.length === 3 && t;
    });
    const doc = editor.document;
    const slice = (t: { start: number; end: number }) =>
      doc.getText(new vscode.Range(doc.positionAt(t.start), doc.positionAt(t.end)));
    assert.deepStrictEqual(tracked.map(slice), ['Part 1 rewritten.', 'Part 2 rewritten.', 'Part 3 rewritten.']);

    api.testing.feedback.edits.quietMs = 50;
    const at = doc.getText().indexOf('Part 2 rewritten') + 'Part 2 '.length;
    assert.ok(
      await editor.edit((b) =>
        b.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'rewritten'.length)), 'redone by hand'),
      ),
    );
    await waitFor(
      'the edit to be recorded',
      () => readEvents(feedbackFile).some((e) => e.type === 'decision' && e.decision === 'edited'),
      10_000,
    );
    await api.testing.services.feedback.flush();
    const edited = readEvents(feedbackFile).filter((e) => e.type === 'decision' && e.decision === 'edited');
    assert.deepStrictEqual(
      edited.map((e) => [e.rewriteId, e.final]),
      [[result.rewriteIds[1], 'Part 2 redone by hand.']],
    );
  });

  it(
    "writes a proposal in parts with the document's own line breaks (CRLF), and follows each part " + 'where it landed',
    async () => {
      await setSetting('maxTokens', 32);
      let k = 0;
      // The model writes LF line breaks inside each part; the document uses CRLF. The parts' originals are one
      // line each, so a soft break would be joined (core/layout); a blank line the model wrote is kept.
      await useScriptedEngine(api, { output: () => `Part ${++k},\n\nin two paragraphs.` });
      const crlf = TEXT.replace(/\n/g, '\r\n');
      const editor = await openDoc(crlf);
      assert.strictEqual(editor.document.eol, vscode.EndOfLine.CRLF);
      select(editor, `${P1}\r\n\r\n${P2}`);
      const result = await rewrite({ rubricId: 'formality', level: 4 });
      assert.ok(
        result?.outcome === 'preview' && result.rewriteIds.length === 2,
        `not two parts: ${JSON.stringify(result)}`,
      );
      const version = editor.document.version;
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite'))?.outcome,
        'accepted',
      );
      const written = 'Part 1,\r\n\r\nin two paragraphs.\r\n\r\nPart 2,\r\n\r\nin two paragraphs.';
      assert.strictEqual(editor.document.getText(), crlf.replace(`${P1}\r\n\r\n${P2}`, written));
      assert.strictEqual(editor.document.version, version + 1);
      const tracked = await waitFor('both parts to be followed', () => {
        const t = api.testing.feedback.edits.tracked().filter((x) => result.rewriteIds.includes(x.rewriteId));
        return t.length === 2 && t;
      });
      const doc = editor.document;
      assert.deepStrictEqual(
        tracked.map((t) => doc.getText(new vscode.Range(doc.positionAt(t.start), doc.positionAt(t.end)))),
        ['Part 1,\r\n\r\nin two paragraphs.', 'Part 2,\r\n\r\nin two paragraphs.'],
      );
      await vscode.commands.executeCommand('undo');
      assert.strictEqual(editor.document.getText(), crlf, 'one undo did not restore the original byte for byte');
    },
  );

  it(
    'gives the model the surrounding paragraphs as read-only context, and none with ' + 'cptWriter.context.maxTokens 0',
    async () => {
      const engine = await useScriptedEngine(api, { output: 'Decisions, in order.' });
      const editor = await openDoc(TEXT);
      select(editor, P2);
      assert.strictEqual((await rewrite({ rubricId: 'concision', level: 4 }))?.outcome, 'preview');
      const withContext = engine.requests[0].user;
      assert.ok(withContext.includes(P1) && withContext.includes(P3), 'no context around the selection');
      await api.testing.services.feedback.flush();
      const logged = readEvents(feedbackFile).find((e) => e.type === 'rewrite');
      assert.ok(
        (logged?.context as { before: string }).before.includes(P1),
        'the context is not logged with the rewrite',
      );
      await vscode.commands.executeCommand('cptWriter.cancelRewrite');

      await setSetting('context.maxTokens', 0);
      select(editor, P2);
      assert.strictEqual((await rewrite({ rubricId: 'concision', level: 4 }))?.outcome, 'preview');
      const without = engine.requests[1].user;
      assert.ok(!without.includes(P1) && !without.includes(P3), 'context was sent with the setting at 0');
      assert.ok(without.includes(P2));
    },
  );

  it(
    'puts a one-off note after the prewarmed prefix, logs it, keeps it on Regenerate and in the pairs ' +
      'built from it',
    async () => {
      let k = 0;
      const engine = await useScriptedEngine(api, { output: () => `Candidate ${++k}, in British spelling.` });
      const editor = await openDoc(TEXT);
      select(editor, P2);
      const note = 'British spelling, please';
      const events: RewriteStreamEvent[] = [];
      const sub = api.testing.services.rewrite.onDidRewrite((e) => events.push(e));
      try {
        assert.strictEqual((await rewrite({ rubricId: 'concision', level: 2, note }))?.outcome, 'preview');
        assert.strictEqual(
          (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.regenerateRewrite'))?.outcome,
          'preview',
        );
      } finally {
        sub.dispose();
      }
      for (const req of engine.requests) {
        assert.ok(
          req.userPrefix && req.user.startsWith(req.userPrefix),
          'the user message does not start with the prewarmed prefix',
        );
        assert.ok(req.user.indexOf(note) > req.userPrefix.length, 'the note is not after the prewarmed prefix');
      }
      assert.ok(
        api.testing.services.rewrite.presenter.previewShown()?.markdown.includes('British'),
        'the zone does not show the note',
      );
      assert.deepStrictEqual(
        events.filter((e) => e.type === 'started').map((e) => (e.type === 'started' ? e.note : '')),
        [note, note],
      );
      assert.strictEqual(
        (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite'))?.outcome,
        'accepted',
      );
      await api.testing.feedback.flush();
      const rewrites = readEvents(feedbackFile).filter((e) => e.type === 'rewrite');
      assert.deepStrictEqual(
        rewrites.map((e) => e.note),
        [note, note],
      );

      const out = path.join(dir, `pairs-${n}.jsonl`);
      await vscode.commands.executeCommand('cptWriter.buildPreferencePairs', {
        logs: [feedbackFile],
        out,
        showReport: false,
      });
      const pairs = fs
        .readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { prompt: { role: string; content: string }[]; chosen: { content: string }[] });
      assert.strictEqual(pairs.length, 1, 'accepting the second proposal after rejecting the first makes one pair');
      const user = pairs[0].prompt.find((m) => m.role === 'user')?.content ?? '';
      assert.ok(user.includes(note), "the pair's prompt lost the note");
      assert.strictEqual(
        user,
        engine.requests[1].user,
        "the pair's prompt is not the prompt the chosen side was made with",
      );
      assert.strictEqual(pairs[0].chosen[0].content, 'Candidate 2, in British spelling.');
    },
  );

  it(
    "takes the note from the sidebar's field, and none when the palette's note step is skipped with " + 'Enter',
    async () => {
      const engine = await useScriptedEngine(api, { output: 'Decisions, in order.' });
      const deps = sidebarDeps(api.testing.services, createRewriteActions(api.testing.services));
      try {
        const editor = await openDoc(TEXT);
        select(editor, P2);
        assert.strictEqual((await deps.startRewrite('keep it under ten words'))?.outcome, 'preview');
        assert.ok(
          engine.requests[0].user.includes('keep it under ten words'),
          'the sidebar note did not reach the prompt',
        );
        await vscode.commands.executeCommand('cptWriter.cancelRewrite');

        // The palette flow with only a rubric given: the level pick, then the note pick; Enter on each
        // takes the current level and "No note".
        select(editor, P2);
        const running = rewrite({ rubricId: 'concision' });
        let result: RewriteRunResult | undefined;
        void running.then((r) => {
          result = r;
        });
        await waitFor(
          'the level and note picks to be answered with Enter',
          () => {
            if (engine.requests.length > 1 || result) return true;
            void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
            return false;
          },
          15_000,
        );
        assert.strictEqual((await running)?.outcome, 'preview');
        assert.strictEqual(engine.requests.length, 2);
        assert.ok(!engine.requests[1].user.includes('keep it under'), 'a note was sent although the step was skipped');
        assert.strictEqual(
          engine.requests[1].user,
          engine.requests[0].user.replace(/\n\n[^\n]*keep it under ten words[^\n]*/, ''),
          'skipping the note changed more than the note',
        );
      } finally {
        deps.dispose();
      }
    },
  );
});
