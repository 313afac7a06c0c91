// Best-of-N and the judge in the real VS Code, with the scripted engine (predictable candidates, and a
// judge that answers the JSON the schema asks for): candidates stepped through with their scores shown,
// one accepted and undone, every candidate in the log, `candidates` pairs from Build Preference Pairs,
// Cancel stopping all candidates, and Score Selection against Rubric.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { BuildPairsResult } from '../../src/vscode/feedback';
import type { SelectionScore } from '../../src/vscode/judge/score-selection';
import type { RewriteRunResult, RewriteStreamEvent } from '../../src/vscode/preview/rewrite-controller';
import { cleanUp, getApi, openDoc, select, setSetting, useScriptedEngine, waitFor } from './helpers';

const TEXT = '# Notes\n\nSo basically we just kind of stopped doing it one week.\n\nThe end.\n';
const TARGET = 'So basically we just kind of stopped doing it one week.';
const CANDIDATES = [
  'Alpha: we ceased the practice.',
  'Beta: the practice was discontinued.',
  'Gamma: the practice was formally discontinued.',
];
// Level 4 aims at 70: Beta (68) is nearest, then Gamma (90), then Alpha (20).
const SCORES: Record<string, number> = { Alpha: 20, Beta: 68, Gamma: 90 };
const judge = (text: string) => ({
  score: SCORES[text.split(':')[0]] ?? 0,
  critique: `critique of ${text.split(':')[0]}`,
});

type Event = Record<string, unknown>;
const readEvents = (file: string): Event[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);

describe('best-of-N and the judge in the editor', function () {
  this.timeout(60_000);
  let api: CptWriterTestApi;
  let dir: string;
  let feedbackFile: string;

  before(async () => {
    api = await getApi();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-best-of-'));
    feedbackFile = path.join(dir, 'feedback.jsonl');
    await setSetting('feedback.path', feedbackFile);
    await setSetting('feedback.enabled', true);
    await setSetting('bestOf', 3);
  });

  afterEach(async () => cleanUp(api));

  after(async () => {
    await setSetting('bestOf', undefined);
    await setSetting('feedback.path', undefined);
    await api.testing.setEngineFactory(undefined);
  });

  it(
    'shows the candidate nearest the target with its score, steps through all, accepts one in one ' +
      'undoable edit, logs all three and builds candidates pairs',
    async () => {
      let k = 0;
      const engine = await useScriptedEngine(api, { output: () => CANDIDATES[k++ % 3], judge });
      const editor = await openDoc(TEXT);
      select(editor, TARGET);
      const rewrite = api.testing.services.rewrite;
      const events: RewriteStreamEvent[] = [];
      const sub = rewrite.onDidRewrite((e) => events.push(e));
      try {
        const result = await vscode.commands.executeCommand<RewriteRunResult>(
          'cptWriter.rewriteSelection',
          'formality',
          4,
        );
        assert.strictEqual(result?.outcome, 'preview');
        assert.strictEqual(result.outcome === 'preview' && result.proposal, CANDIDATES[1]);
        assert.strictEqual(editor.document.getText(), TEXT, 'the preview touched the document');
        assert.deepStrictEqual(rewrite.snapshot().candidate, {
          index: 0,
          count: 3,
          score: 68,
          target: 70,
          critique: 'critique of Beta',
        });
        // Three rewrites, then three judgements, each asked for the schema's JSON.
        assert.deepStrictEqual(
          engine.requests.map((r) => !!r.jsonSchema),
          [false, false, false, true, true, true],
        );
        assert.strictEqual(
          new Set(engine.requests.filter((r) => !r.jsonSchema).map((r) => r.seed)).size,
          3,
          'the candidates share a seed',
        );

        const lensTitles = async () =>
          (
            await vscode.commands.executeCommand<vscode.CodeLens[]>(
              'vscode.executeCodeLensProvider',
              editor.document.uri,
            )
          ).map((l) => l.command?.title ?? '');
        const titles = await lensTitles();
        assert.ok(
          titles.some((t) => t.includes('68 → target 70 · candidate 1 of 3')),
          JSON.stringify(titles),
        );
        assert.ok(
          titles.some((t) => t.startsWith('Next')) && titles.some((t) => t.startsWith('Previous')),
          JSON.stringify(titles),
        );
        // The preview zone says the same, and offers the same steps as links.
        const zone = rewrite.presenter.previewShown()?.markdown ?? '';
        assert.ok(
          zone.includes('command:cptWriter.nextCandidate') && zone.includes('command:cptWriter.previousCandidate'),
          zone,
        );
        // Each word is its own span in the zone: the score, the target and the critique are there.
        for (const word of ['68', '70', 'critique', 'Beta'])
          assert.ok(zone.includes(`>${word}</span>`), `${word} not in ${zone}`);
        assert.ok(
          events.some(
            (e) => e.type === 'candidate' && e.score === 68 && e.target === 70 && e.index === 0 && e.count === 3,
          ),
          'no candidate event with the score',
        );
        const sidebar = rewrite.view.current();
        assert.strictEqual(sidebar?.phase, 'done');
        assert.deepStrictEqual(
          sidebar.candidate && { ...sidebar.candidate, critique: '' },
          { index: 0, count: 3, score: 68, target: 70, critique: '' },
          'the sidebar does not show the score',
        );
        const keys = (
          vscode.extensions.getExtension('cpt-writer.cpt-writer')!.packageJSON as {
            contributes: { keybindings: { command: string; key: string; when: string }[] };
          }
        ).contributes.keybindings;
        assert.deepStrictEqual(
          keys.filter((b) => b.command.endsWith('Candidate')).map((b) => [b.command, b.key, b.when]),
          [
            [
              'cptWriter.nextCandidate',
              'alt+]',
              'editorTextFocus && cptWriter.rewriteActive && resource in cptWriter.previewResources && ' +
                '!suggestWidgetVisible && !inlineSuggestionVisible && !editorHasMultipleSelections',
            ],
            [
              'cptWriter.previousCandidate',
              'alt+[',
              'editorTextFocus && cptWriter.rewriteActive && resource in cptWriter.previewResources && ' +
                '!suggestWidgetVisible && !inlineSuggestionVisible && !editorHasMultipleSelections',
            ],
          ],
        );

        // Stepping: next → Gamma (90), next → Alpha (20), next wraps to Beta, previous → Alpha.
        const seen: [string | undefined, number | undefined][] = [];
        for (const command of [
          'cptWriter.nextCandidate',
          'cptWriter.nextCandidate',
          'cptWriter.nextCandidate',
          'cptWriter.previousCandidate',
        ]) {
          assert.strictEqual(await vscode.commands.executeCommand(command), true);
          const s = rewrite.snapshot();
          seen.push([s.proposal, s.candidate?.score]);
        }
        assert.deepStrictEqual(seen, [
          [CANDIDATES[2], 90],
          [CANDIDATES[0], 20],
          [CANDIDATES[1], 68],
          [CANDIDATES[0], 20],
        ]);
        assert.ok((await lensTitles()).some((t) => t.includes('20 → target 70 · candidate 3 of 3')));
        assert.strictEqual(editor.document.getText(), TEXT, 'stepping touched the document');

        const version = editor.document.version;
        assert.strictEqual(
          (await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.acceptRewrite'))?.outcome,
          'accepted',
        );
        assert.strictEqual(editor.document.getText(), TEXT.replace(TARGET, CANDIDATES[0]));
        assert.strictEqual(editor.document.version, version + 1, 'accept should be exactly one edit');

        await api.testing.feedback.flush();
        const id = result.outcome === 'preview' ? result.rewriteId : '';
        const logged = readEvents(feedbackFile).find((e) => e.type === 'rewrite' && e.id === id) as
          { output: string; candidates: { output: string; score: number }[] } | undefined;
        assert.ok(logged, 'the rewrite is not in the log');
        assert.strictEqual(logged.output, CANDIDATES[1]);
        assert.deepStrictEqual(
          logged.candidates.map((c) => [c.output, c.score]),
          [
            [CANDIDATES[1], 68],
            [CANDIDATES[2], 90],
            [CANDIDATES[0], 20],
          ],
        );
        const decisions = readEvents(feedbackFile).filter((e) => e.type === 'decision' && e.rewriteId === id);
        assert.deepStrictEqual(decisions[0], {
          ...decisions[0],
          decision: 'accepted',
          final: CANDIDATES[0],
          candidate: 2,
        });

        const out = path.join(dir, 'pairs.jsonl');
        const built = await vscode.commands.executeCommand<BuildPairsResult>('cptWriter.buildPreferencePairs', {
          logs: [feedbackFile],
          out,
        });
        assert.ok(built, 'Build Preference Pairs returned nothing');
        const pairs = fs
          .readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map(
            (l) =>
              JSON.parse(l) as {
                chosen: { content: string }[];
                rejected: { content: string }[];
                source: string;
                ids: string[];
                prompt: { content: string }[];
              },
          );
        const fromCandidates = pairs.filter((p) => p.source === 'candidates' && p.ids.includes(id));
        assert.deepStrictEqual(
          fromCandidates.map((p) => [p.chosen[0].content, p.rejected[0].content]),
          [
            [CANDIDATES[0], CANDIDATES[1]],
            [CANDIDATES[0], CANDIDATES[2]],
          ],
        );
        assert.ok(fromCandidates.every((p) => p.prompt[1].content.includes(TARGET)));

        // Undo last: the edit tracker then takes the undone accept for a rejection, as it should.
        await vscode.window.showTextDocument(editor.document);
        await vscode.commands.executeCommand('undo');
        assert.strictEqual(editor.document.getText(), TEXT, 'one undo did not restore the original');
      } finally {
        sub.dispose();
      }
    },
  );

  it('Cancel stops every candidate: nothing more is written or judged, and the text stays', async () => {
    const engine = await useScriptedEngine(api, {
      output: 'One slow candidate that streams word by word for quite a while.',
      delayMs: 40,
      judge,
    });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const running = vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    await waitFor(
      'the first candidate to stream',
      () =>
        api.testing.services.rewrite.snapshot().phase === 'streaming' &&
        (api.testing.services.rewrite.snapshot().proposal ?? '').length > 0,
    );
    await vscode.commands.executeCommand('cptWriter.cancelRewrite');
    // The command returns once the one rewrite function has returned: nothing of this run can start after it.
    assert.strictEqual((await running)?.outcome, 'cancelled');
    assert.strictEqual(engine.requests.length, 1, 'another candidate or a judgement started after Cancel');
    assert.strictEqual(editor.document.getText(), TEXT);
    assert.strictEqual(api.testing.services.rewrite.snapshot().phase, 'idle');
  });

  it('streams all candidates at once, steps while they stream; Cancel stops all, text untouched', async () => {
    // Each candidate names itself in every word, so what the zone shows says which one is in focus.
    const engine = await useScriptedEngine(api, {
      batch: true,
      output: (req) => {
        const name = ['Alpha', 'Beta', 'Gamma'][(req.seed ?? 0) % 3]!;
        return Array.from({ length: 40 }, (_, i) => `${name}${i}`).join(' ') + '.';
      },
      delayMs: 30,
      judge,
    });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const rewrite = api.testing.services.rewrite;
    const running = vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    const name = (text: string | undefined) => /^([A-Za-z]+)0/.exec(text ?? '')?.[1];
    const shown = () => rewrite.presenter.previewShown()?.markdown ?? '';
    await waitFor('every candidate to stream', () => {
      const s = rewrite.snapshot();
      return s.phase === 'streaming' && (s.proposal ?? '').split(' ').length > 2;
    });
    assert.deepStrictEqual(engine.batches, [3], 'the three candidates were not written as one batch');
    const first = name(rewrite.snapshot().proposal);
    assert.ok(first, rewrite.snapshot().proposal);
    // The zone offers the steps while streaming, and Alt+] / Next shows another candidate's growing text.
    assert.ok(shown().includes('command:cptWriter.nextCandidate'), shown());
    const seen: (string | undefined)[] = [first];
    for (const command of ['cptWriter.nextCandidate', 'cptWriter.nextCandidate', 'cptWriter.nextCandidate']) {
      assert.strictEqual(await vscode.commands.executeCommand(command), true, `${command} while streaming`);
      seen.push(name(rewrite.snapshot().proposal));
    }
    assert.strictEqual(new Set(seen.slice(0, 3)).size, 3, `stepping did not show three candidates: ${seen}`);
    assert.strictEqual(seen[3], first, 'stepping did not wrap around');
    assert.strictEqual(await vscode.commands.executeCommand('cptWriter.previousCandidate'), true);
    const focused = name(rewrite.snapshot().proposal);
    assert.strictEqual(focused, seen[2]);
    // The shown candidate keeps growing while in focus.
    const before = rewrite.snapshot().proposal ?? '';
    await waitFor('the focused candidate to grow', () => (rewrite.snapshot().proposal ?? '').length > before.length);
    assert.ok((rewrite.snapshot().proposal ?? '').startsWith(before));
    assert.match(shown(), new RegExp(`${focused}0`));
    assert.strictEqual(editor.document.getText(), TEXT, 'streaming touched the document');

    await vscode.commands.executeCommand('cptWriter.cancelRewrite');
    assert.strictEqual((await running)?.outcome, 'cancelled');
    assert.strictEqual(engine.requests.length, 3, 'a judgement started after Cancel');
    assert.ok(
      engine.requests.every((r) => r.signal?.aborted),
      'a candidate was not stopped',
    );
    assert.strictEqual(editor.document.getText(), TEXT);
    assert.strictEqual(rewrite.snapshot().phase, 'idle');
  });

  it('candidates streamed together end in the same preview: best first, stepping through all three', async () => {
    let k = 0;
    const engine = await useScriptedEngine(api, { batch: true, output: () => CANDIDATES[k++ % 3], judge });
    const editor = await openDoc(TEXT);
    select(editor, TARGET);
    const result = await vscode.commands.executeCommand<RewriteRunResult>('cptWriter.rewriteSelection', 'formality', 4);
    assert.strictEqual(result?.outcome === 'preview' && result.proposal, CANDIDATES[1]);
    assert.deepStrictEqual(engine.batches, [3, 3], 'writing and judging: one batch each');
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 3; i++) {
      seen.add(api.testing.services.rewrite.snapshot().proposal);
      await vscode.commands.executeCommand('cptWriter.nextCandidate');
    }
    assert.deepStrictEqual([...seen].sort(), [...CANDIDATES].sort());
    assert.strictEqual(editor.document.getText(), TEXT);
  });

  it(
    "Score Selection against Rubric shows the judge's score and critique for the selection with the " + 'current style',
    async () => {
      const engine = await useScriptedEngine(api, {
        judge: (text) => ({ score: text.includes('basically') ? 23 : 77, critique: 'Casual fillers.' }),
      });
      await api.testing.services.style.set({ rubricId: 'formality', level: 4 });
      const editor = await openDoc(TEXT);
      select(editor, TARGET);
      const from = api.testing.messages().length;
      const scored = await vscode.commands.executeCommand<SelectionScore>('cptWriter.scoreSelection');
      assert.ok(scored, 'the command returned nothing');
      assert.deepStrictEqual(
        {
          score: scored.score,
          critique: scored.critique,
          rubricId: scored.rubricId,
          level: scored.level,
          target: scored.target,
        },
        { score: 23, critique: 'Casual fillers.', rubricId: 'formality', level: 4, target: 70 },
      );
      const shown = api.testing
        .messages()
        .slice(from)
        .map((m) => m.message);
      assert.ok(
        shown.some((m) => m.includes('score 23 → target 70') && m.includes('Casual fillers.')),
        JSON.stringify(shown),
      );
      assert.strictEqual(engine.requests.length, 1);
      assert.ok(engine.requests[0].jsonSchema, 'the judge was not asked for the schema');
      assert.ok(engine.requests[0].user.includes(TARGET));
      assert.strictEqual(editor.document.getText(), TEXT, 'scoring touched the document');
    },
  );
});
