// The pseudo-locale test of the editor's words built outside `vscode` (preview zone and actions, the markup
// report, the score and judge lines, the backend lines, the sidebar's model warnings, the style check's
// diagnostic, hint, status tooltip and histogram): every message of l10n/bundle.l10n.json has its words wrapped
// in ⟦…⟧ (its arguments left outside: helpers/pseudo-l10n.ts), each label builder runs with a translator that
// looks messages up in that bundle as vscode.l10n.t does
// (a message missing from it comes back unwrapped), and every letter the writer would see must lie inside
// the markers, or be data named here (rubric and model names, the writer's and the judge's text, product
// names). The bundle itself must be what scripts/l10n-export.mjs extracts from the sources today.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { englishBundle, pseudoBundle, ROOT, shownMarkdown, translator, untranslated } from './helpers/pseudo-l10n';
import { pathToFileURL } from 'node:url';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import type { CheckedParagraph, CheckReport } from '../../src/core/check';
import { localizeMarkupLines, markupLost } from '../../src/core/markup';
import type { Translate } from '../../src/core/translate';
import { backendLabel, backendLines, cpuReason } from '../../src/vscode/model/backend-summary';
import { previewActions } from '../../src/vscode/preview/preview-actions';
import type { ManifestKeybinding } from '../../src/vscode/preview/key-labels';
import { previewMarkdown, type PreviewAction } from '../../src/vscode/preview/preview-body';
import { toModelStatusView } from '../../src/vscode/sidebar/views';
import { diagnosticMessage, hintText, statusLabels, toStyleCheckView } from '../../src/vscode/check/labels';

const OPEN = '⟦';
const CLOSE = '⟧';

function assertTranslated(what: string, visible: string, data: readonly string[] = []): void {
  assert.ok(visible.includes(OPEN), `${what}: nothing came through the bundle: ${visible}`);
  assert.equal(untranslated(visible, data), '', `${what} shows words that are not in the bundle: ${visible}`);
}

describe('l10n: the pseudo-locale bundle reaches every label built outside vscode', () => {
  let t: Translate;
  const asked = new Set<string>();
  let formality: Rubric;

  before(async () => {
    t = translator(pseudoBundle(englishBundle()), asked);
    formality = (await loadRubrics({})).rubrics.find((r) => r.id === 'formality')!;
  });

  it('l10n/bundle.l10n.json is what scripts/l10n-export.mjs extracts from src/ and webview/ today', async () => {
    const script = pathToFileURL(path.join(ROOT, 'scripts', 'l10n-export.mjs')).href;
    const { extractMessages, bundleText } = (await import(script)) as {
      extractMessages(): { messages: string[]; problems: string[] };
      bundleText(m: string[]): string;
    };
    const { messages, problems } = extractMessages();
    assert.deepEqual(problems, [], 'every message is a literal a bundle can hold');
    assert.ok(messages.length > 300, `only ${messages.length} messages found`);
    assert.equal(
      readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8'),
      bundleText(messages),
      'the bundle is out of date: run node scripts/l10n-export.mjs',
    );
    for (const m of ['Rewrite to level {0}', 'Style check', 'lost: {0}', 'L{0} {1} · {2}'])
      assert.ok(messages.includes(m), `${m} is extracted`);
  });

  it(
    "no English phrase in the editor's code outside a translator, a log line or an error, but the ones " + 'named here',
    async () => {
      const script = pathToFileURL(path.join(ROOT, 'scripts', 'l10n-export.mjs')).href;
      const { plainPhrases } = (await import(script)) as { plainPhrases(): string[] };
      // Each one is not a message a person reads in the editor, for the reason given.
      const notShown: Array<[string, RegExp, string]> = [
        ['src/vscode/feedback/edit-tracker.ts', /^too many tracked$/, 'why an edit was settled, for the log'],
        ['src/vscode/feedback/index.ts', /^log read$/, 'why edits were settled, for the log'],
        ['src/vscode/generate/generate-command.ts', /^the server's model name$/, 'a flag name for core errors'],
        ['src/vscode/generate/generate-command.ts', /^cancelled before it started$/, "the command's result reason"],
        ['src/vscode/generate/generate-command.ts', /^it did not run$/, "the command's result reason"],
        ['src/vscode/model/cuda-backend.ts', /^\(complete and verified\) stays installed/, 'the log line'],
        ['src/vscode/model/cuda-backend.ts', /^Nothing was installed\.$/, 'the log line'],
        ['src/vscode/model/prewarm.ts', /^, of them restored from the prompt cache$/, 'the log line'],
        ['src/vscode/preview/preview-body.ts', /^<span /, 'HTML markup'],
        ['src/vscode/sidebar/provider.ts', /^<!DOCTYPE html>/, "the page's HTML"],
        // The New Rubric… template is a file the writer edits, English like the built-in rubric files.
        ['src/vscode/rubrics/new-rubric.ts', /^# A CPT Writer rubric/, 'rubric file content'],
        ['src/vscode/rubrics/new-rubric.ts', /^What " " means/, 'rubric file content'],
        // Problems with rubricDirectories entries go to the log only (the rubric service writes them there).
        ['src/vscode/common/config.ts', /^(user|workspace|folder) settings:$/, 'log line'],
        // The second half of the install's log line (keptLog); the notification's words are translated beside it.
        ['src/vscode/model/cuda-backend.ts', /^removes it\.$/, 'log line'],
      ];
      const left = plainPhrases().filter((line) => {
        const [file, text] = [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)];
        return !notShown.some(([f, re]) => f === file && re.test(text));
      });
      assert.deepEqual(left, [], 'English text a person may read without a translation');
    },
  );

  it('the preview actions and the preview zone in every phase', () => {
    const actions: PreviewAction[] = [];
    for (const phase of ['preparing', 'streaming', 'preview'] as const)
      for (const candidates of [1, 3]) {
        const list = previewActions({ phase, previewId: 'p1', keybindings: [], platform: 'linux', candidates }, t);
        for (const a of list) {
          assertTranslated(`action ${a.command}`, a.title);
          assertTranslated(`tooltip of ${a.command}`, a.tooltip ?? '');
        }
        actions.push(...list);
      }
    // With the manifest's keys, on each platform: the key names are VS Code's words too (a key cap is data).
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { keybindings: ManifestKeybinding[] };
    };
    const caps = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => `+${c}`);
    let keys = 0;
    let translatedKeys = 0;
    for (const platform of ['linux', 'windows', 'mac', undefined] as const)
      for (const a of previewActions(
        { phase: 'preview', previewId: 'p1', keybindings: manifest.contributes.keybindings, platform, candidates: 3 },
        t,
      ))
        if (a.key) {
          keys++;
          // A Mac label may be symbols and a key cap alone (⌥[): nothing to translate, nothing left over.
          const key = a.key.replace(/[⌃⌥⇧⌘]/g, '');
          if (key.includes('⟦')) translatedKeys++;
          assert.equal(untranslated(key, caps), '', `key of ${a.command} on ${platform ?? 'an unknown platform'}`);
        }
    assert.ok(keys >= 8 && translatedKeys >= keys / 2, `${keys} key hints, ${translatedKeys} with words`);
    const proposal = 'The committee approved the plan.';
    const critique = 'Too stiff for a note to a friend.';
    const note = 'keep it short';
    // What the presenter passes in, already through vscode.l10n.t (src/vscode/preview/presenter.ts).
    const progress = t('part {0} of {1}', 2, 3);
    const cutOff = `${OPEN}Cut off at 120 tokens.${CLOSE}`;
    const lost = markupLost('See \\cite{knuth84} and \\ref{fig:a}.', 'See the book.', 'latex');
    assert.equal(lost.length, 2, JSON.stringify(lost));
    for (const phase of ['preparing', 'streaming'] as const)
      for (const p of [progress, undefined])
        assertTranslated(
          `${phase} zone`,
          shownMarkdown(
            previewMarkdown({ phase, text: '', progress: p, markupLost: [], actions: actions.slice(0, 1) }, t),
          ),
        );
    for (const index of [0, 1]) {
      const md = previewMarkdown(
        {
          phase: 'preview',
          text: proposal,
          added: [{ start: 4, end: 13 }],
          note,
          markupLost: lost,
          cutOff,
          candidate: { index, count: 3, score: 64, target: 70, critique },
          actions: actions.filter((a) => a.command === 'cptWriter.acceptRewrite'),
        },
        t,
      );
      // The proposal, the judge's critique, the note and the markup the writer typed are data.
      assertTranslated('finished preview zone', shownMarkdown(md), [
        proposal,
        critique,
        note,
        '\\cite{knuth84}',
        '\\ref{fig:a}',
      ]);
    }
    assertTranslated(
      'empty proposal',
      shownMarkdown(previewMarkdown({ phase: 'preview', text: '', markupLost: [], actions: [] }, t)),
    );
  });

  it('markup report lines of every kind, read back from the English the log keeps', () => {
    const cases: Array<[string, string, string, string[]]> = [
      ['latex', 'See \\cite{a} and \\cite{a} and \\ref{b}.', 'See them.', ['\\cite{a}', '\\ref{b}']],
      [
        'markdown',
        'Read [the docs](https://a.example/x).',
        'Read [the docs](https://b.example/y).',
        ['[the docs](https://a.example/x)', '[the docs](https://b.example/y)'],
      ],
      [
        'typescript',
        '// One line of a comment here.\n// And a second line of it.',
        'One line of a comment here.\nAnd a second line of it.',
        [
          '//',
          'One line of a comment',
          'And a second line of',
          'One line of a comment here.',
          'And a second line of it.',
        ],
      ],
      ['typescript', '// First comment line.', 'First comment line.', ['//', 'First comment line.']],
      [
        'javascript',
        '/**\n * Stars on each line.\n * And on this one.\n */',
        '/**\n Stars on each line.\n And on this one.\n */',
        ['Stars on each line.', 'And on this one.'],
      ],
    ];
    let lines = 0;
    for (const [lang, original, proposal, data] of cases) {
      const english = markupLost(original, proposal, lang);
      assert.ok(english.length, `${lang}: the case loses markup`);
      for (const line of localizeMarkupLines(english, t)) {
        assertTranslated(`${lang} markup line`, line, data);
        lines++;
      }
      // Read back and reworded in English, the lines are the same as core wrote them.
      assert.deepEqual(
        localizeMarkupLines(english, (m, ...a) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)]))),
        english,
      );
    }
    assert.ok(lines >= 6, `${lines} lines`);
    for (const m of ['lost: {0}', 'altered: {0} → {1}', '{0} (×{1})', '{0} at the start of {1} lines ("{2}")'])
      assert.ok(asked.has(m), `${m} was asked for`);
  });

  it('backend lines, the CPU reason and the sidebar model warnings', () => {
    const names = (['cpu', 'cuda', 'vulkan', 'metal'] as const).map(backendLabel);
    const backends = [
      { backend: 'cpu' as const, binary: true, drivers: true },
      { backend: 'cuda' as const, binary: false, drivers: false },
      { backend: 'vulkan' as const, binary: true, drivers: false },
      { backend: 'metal' as const, binary: true, drivers: true },
    ];
    for (const line of backendLines(backends, 'cpu', t)) assertTranslated('backend line', line, names);
    for (const line of backendLines([{ backend: 'metal', binary: true, drivers: false }], 'cpu', t))
      assertTranslated('backend line', line, names);
    assertTranslated('cpu reason', cpuReason('auto', 'cpu', backends, t) ?? '', names);
    const view = toModelStatusView(
      {
        state: 'ready',
        spec: '/m/tiny.gguf',
        name: 'tiny',
        model: { name: 'tiny' } as never,
        backend: 'cpu',
        gpuLayers: 0,
        totalLayers: 4,
        testModel: true,
        gpuFallback: 'CUDA failed: out of memory',
      },
      t,
    );
    assertTranslated('model warning', view.warning ?? '', ['CUDA failed: out of memory']);
  });

  it("the style check's diagnostic, level hint, status tooltip and histogram", () => {
    const para = (level: 1 | 2 | 3 | 4 | 5, score: number, critique?: string): CheckedParagraph => ({
      start: level * 100,
      end: level * 100 + 50,
      line: level * 2,
      endLine: level * 2,
      text: 'x',
      status: 'scored',
      score,
      level,
      offTarget: level !== 4,
      cached: false,
      ...(critique ? { critique } : {}),
    });
    const paragraphs = [para(2, 30, 'Chatty.'), para(4, 72), para(5, 90)];
    const report = {
      paragraphs,
      target: 4,
      rubric: { id: 'formality', hash: 'h' },
      judge: 'j',
      counts: { scored: 3, 'too-long': 0, failed: 0, cancelled: 0, offTarget: 2, cached: 0, judged: 3 },
    } as CheckReport;
    const levels = formality.levels;
    assertTranslated('diagnostic', diagnosticMessage(paragraphs[0], formality, 4, t), [...levels, 'Chatty.']);
    for (const p of paragraphs) assertTranslated('level hint', hintText(p, formality, t), levels);
    for (const on of [true, false]) {
      const { text, tooltip } = statusLabels(report, formality, on, t);
      assertTranslated('status tooltip', tooltip);
      // The item's text is an icon, the rubric's title and numbers: nothing to translate.
      assert.equal(untranslated(text.replace(/\$\([a-z-]+\)/g, ''), [formality.title]), '');
    }
    const view = toStyleCheckView('notes.md', report, formality);
    assert.deepEqual(view.counts, [0, 1, 0, 1, 1]);
    assert.equal(view.offTarget, 2);
  });
});
