// The preview's pure parts: the word diff, the Markdown the preview zone shows (the proposal exactly as
// written, whatever it contains), the key hints per platform and the actions that carry the preview's id.
import * as assert from 'node:assert/strict';
import { formatChord, keyLabel, type ManifestKeybinding } from '../../src/vscode/preview/key-labels';
import { previewActions } from '../../src/vscode/preview/preview-actions';
import { commandLink, escapeText, markedText, previewMarkdown } from '../../src/vscode/preview/preview-body';
import { wordDiff } from '../../src/core/rewrite/word-diff';
import { proposalChanges } from '../../src/core/rewrite/changes';
import { createSession, reduceSession, type Proposal, type SessionEvent } from '../../src/core/rewrite/session';
import { changeActions, changesView, keptRemoved } from '../../src/vscode/preview/change-view';

const slices = (text: string, ranges: { start: number; end: number }[]) =>
  ranges.map((r) => text.slice(r.start, r.end));

/**
 * What a Markdown renderer makes of escapeText's output, for the constructs it emits: backslash escapes,
 * the three entities, <br> and &nbsp;. (The real renderer is exercised by the e2e test's screenshots.)
 */
function unescape(md: string): string {
  return md
    .replace(/<br>/g, '\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\\([!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])/g, '$1');
}

describe('preview: word diff', () => {
  it('marks the words the proposal drops in the original and the words it brings in the proposal', () => {
    const original = 'So basically we just kind of stopped doing it one week.';
    const proposal = 'We simply stopped doing it one week.';
    const d = wordDiff(original, proposal);
    assert.ok(d);
    assert.deepEqual(slices(original, d.removed), ['So basically we just kind of']);
    assert.deepEqual(slices(proposal, d.added), ['We simply']);
  });

  it('ignores whitespace and line breaks between words, and keeps runs apart when a kept word lies between', () => {
    const original = 'alpha beta gamma\ndelta epsilon';
    const proposal = 'alpha  BETA gamma delta EPSILON';
    const d = wordDiff(original, proposal);
    assert.ok(d);
    assert.deepEqual(slices(original, d.removed), ['beta', 'epsilon']);
    assert.deepEqual(slices(proposal, d.added), ['BETA', 'EPSILON']);
  });

  it(
    'treats punctuation and markup characters as words of their own, and apostrophes inside words as ' + 'part of them',
    () => {
      const d = wordDiff("It's done, see \\cite{knuth84}.", "It's finished; see \\cite{knuth84}!");
      assert.ok(d);
      assert.deepEqual(slices("It's done, see \\cite{knuth84}.", d.removed), ['done,', '.']);
      assert.deepEqual(slices("It's finished; see \\cite{knuth84}!", d.added), ['finished;', '!']);
    },
  );

  it('gives up rather than stall on two long, unrelated texts', () => {
    const a = Array.from({ length: 4000 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 4000 }, (_, i) => `b${i}`).join(' ');
    assert.equal(wordDiff(a, b, 1), undefined);
  });
});

describe('preview: Markdown of the preview zone', () => {
  it('escapes every character Markdown or HTML would act on, so the proposal shows exactly as written', () => {
    const texts = [
      '# Not a heading\n- not a list\n1. not a numbered list',
      '**bold** _em_ `code` [link](https://example.com) ![img](x.png) <b>tag</b> &amp; \\cite{knuth84} $x^2$',
      '  indented  with   runs of spaces\tand a tab',
      '> quote | table | ~~strike~~ {placeholder} %(name)s ${var} <!-- comment -->',
      'Line one\r\nline two\n\nnew paragraph',
    ];
    for (const t of texts) {
      const md = escapeText(t);
      assert.equal(unescape(md), t.replace(/\r\n/g, '\n').replace(/\t/g, '    '), `round trip of ${JSON.stringify(t)}`);
      assert.doesNotMatch(md.replace(/<br>/g, ''), /(^|[^\\])[*_`[\]#<>]/, `an unescaped Markdown character in ${md}`);
      assert.doesNotMatch(md, /\n/, 'a raw line break would let Markdown start a new block');
    }
  });

  it("highlights the added ranges with the theme's inserted-text colour and nothing else", () => {
    const md = markedText('We simply stopped.', [{ start: 0, end: 9 }]);
    const mark = '<span style="background-color:var(--vscode-diffEditor-insertedTextBackground);">';
    // One span per word: VS Code's comment widget does not wrap inside a span, so the spaces stay outside.
    assert.equal(md, `${mark}We</span> ${mark}simply</span> stopped\\.`);
    const url = markedText('see https://example.com/a/very/long/path/to/somewhere/else', [{ start: 4, end: 58 }]);
    assert.equal(url.split('<wbr>').length, 3, 'a long word is cut into pieces the line can break between');
    assert.equal(
      unescape(url.replace(/<\/?span[^>]*>|<wbr>/g, '')),
      'see https://example.com/a/very/long/path/to/somewhere/else',
    );
    // The style passes VS Code's Markdown sanitizer rule for <span> styles (theme colours only).
    const style = /style="([^"]*)"/.exec(md)?.[1] ?? '';
    assert.match(
      style,
      new RegExp(
        String.raw`^(color:(#[0-9a-fA-F]+|var\(--vscode(-[a-zA-Z0-9]+)+\));)?` +
          String.raw`(background-color:(#[0-9a-fA-F]+|var\(--vscode(-[a-zA-Z0-9]+)+\));)?(border-radius:[0-9]+px;)?$`,
      ),
    );
  });

  it(
    'shows the whole proposal, the markup warning, the cut-off, the note and the actions of a finished ' + 'preview',
    () => {
      const actions = previewActions({ phase: 'preview', previewId: 'abc', keybindings: [], platform: 'linux' });
      const md = previewMarkdown({
        phase: 'preview',
        text: 'See the paper.',
        added: [{ start: 4, end: 13 }],
        markupLost: ['lost: \\cite{knuth84}'],
        cutOff: 'Cut off at 24 tokens.',
        note: 'keep it short',
        actions,
      });
      assert.ok(md.includes('See <span'), md);
      assert.doesNotMatch(
        md,
        /<span style="[^"]*">[^<]* [^<]*<\/span>/,
        'a styled span holds a space, where the line could not wrap',
      );
      assert.ok(md.includes(escapeText('lost: \\cite{knuth84}')), 'the lost token is listed, escaped');
      assert.ok(md.includes('tokens\\.</span>'));
      assert.ok(md.includes('keep</span> <span'));
      for (const title of ['Accept', 'Reject', 'Regenerate', 'Compare', 'Cancel'])
        assert.ok(md.includes(`[${title}`), `no ${title} link`);
      assert.ok(
        md.includes(`(command:cptWriter.acceptRewrite?${encodeURIComponent('["abc"]')} `),
        'the Accept link carries the preview id',
      );
    },
  );

  it('shows progress and a cursor while streaming, and only the Cancel action', () => {
    const actions = previewActions({ phase: 'streaming', previewId: 'abc', keybindings: [], platform: undefined });
    const md = previewMarkdown({
      phase: 'streaming',
      text: 'Half a sent',
      progress: 'part 2 of 3',
      markupLost: [],
      actions,
    });
    assert.ok(unescape(md.replace(/<[^>]+>/g, '')).includes('Rewriting… (part 2 of 3)'), md);
    assert.ok(md.includes('Half a sent ▍'));
    assert.equal((md.match(/\]\(command:/g) ?? []).length, 1);
    assert.ok(md.includes('command:cptWriter.cancelRewrite'));
    const candidates = previewActions({
      phase: 'streaming',
      previewId: 'abc',
      keybindings: [],
      platform: undefined,
      candidates: 3,
    });
    assert.deepEqual(
      candidates.map((c) => c.command),
      ['cptWriter.previousCandidate', 'cptWriter.nextCandidate', 'cptWriter.cancelRewrite'],
      'best-of candidates streaming together can be stepped through',
    );
  });

  it('writes command links with URI-encoded JSON arguments and a quoted tooltip', () => {
    const link = commandLink({
      title: 'Accept',
      command: 'cptWriter.acceptRewrite',
      args: ['id "1"'],
      key: 'Ctrl+Enter',
      tooltip: 'Say "yes"',
    });
    assert.equal(
      link,
      `[Accept \\(Ctrl\\+Enter\\)](command:cptWriter.acceptRewrite?${encodeURIComponent(JSON.stringify(['id "1"']))} ` +
        `"Say \\"yes\\"")`,
    );
  });
});

describe('preview: key hints', () => {
  const bindings: ManifestKeybinding[] = [
    { command: 'cptWriter.acceptRewrite', key: 'ctrl+enter', mac: 'cmd+enter' },
    { command: 'cptWriter.rejectRewrite', key: 'ctrl+shift+backspace', mac: 'cmd+shift+backspace' },
    { command: 'cptWriter.cancelRewrite', key: 'escape' },
  ];

  it("writes each platform's label, and never says Ctrl on a Mac", () => {
    assert.equal(keyLabel('cptWriter.acceptRewrite', bindings, 'linux'), 'Ctrl+Enter');
    assert.equal(keyLabel('cptWriter.acceptRewrite', bindings, 'windows'), 'Ctrl+Enter');
    assert.equal(keyLabel('cptWriter.acceptRewrite', bindings, 'mac'), '⌘Enter');
    assert.equal(keyLabel('cptWriter.rejectRewrite', bindings, 'linux'), 'Ctrl+Shift+Backspace');
    assert.equal(keyLabel('cptWriter.rejectRewrite', bindings, 'mac'), '⇧⌘⌫');
    assert.equal(keyLabel('cptWriter.cancelRewrite', bindings, 'mac'), 'Esc');
    for (const b of bindings) assert.doesNotMatch(keyLabel(b.command, bindings, 'mac') ?? '', /Ctrl/);
  });

  it(
    'shows both when the platform is unknown (a browser or remote window), and nothing for a command ' +
      'without a key',
    () => {
      assert.equal(keyLabel('cptWriter.acceptRewrite', bindings, undefined), 'Ctrl+Enter / ⌘Enter');
      assert.equal(keyLabel('cptWriter.cancelRewrite', bindings, undefined), 'Esc');
      assert.equal(keyLabel('cptWriter.compareRewrite', bindings, 'linux'), undefined);
    },
  );

  it('orders modifiers as VS Code does', () => {
    assert.equal(formatChord('shift+alt+ctrl+r', false), 'Ctrl+Shift+Alt+R');
    assert.equal(formatChord('shift+cmd+alt+ctrl+r', true), '⌃⌥⇧⌘R');
  });

  it('puts the keys from the manifest into the actions, and the preview id into each one', () => {
    const actions = previewActions({ phase: 'preview', previewId: 'p1', keybindings: bindings, platform: 'mac' });
    const accept = actions.find((a) => a.command === 'cptWriter.acceptRewrite');
    assert.equal(accept?.key, '⌘Enter');
    assert.ok(actions.every((a) => a.args.length === 1 && a.args[0] === 'p1'));
    // Escape closes a finished preview too, so the preview's Cancel names it.
    assert.match(actions.find((a) => a.command === 'cptWriter.cancelRewrite')?.key ?? '', /^Esc/);
  });
});

describe("preview: labels go through the caller's translator", () => {
  // A stand-in for vscode.l10n.t in another language: marks every message it is asked for.
  const asked: string[] = [];
  const t = (message: string, ...args: Array<string | number | boolean>) => {
    asked.push(message);
    return `«${message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]))}»`;
  };

  it('every action title and tooltip, the streaming line, the score line and the note are translated', () => {
    const actions = previewActions(
      { phase: 'preview', previewId: 'p1', keybindings: [], platform: 'linux', candidates: 2 },
      t,
    );
    assert.ok(
      actions.every((a) => a.title.startsWith('«') && a.tooltip?.startsWith('«')),
      JSON.stringify(actions),
    );
    const md = previewMarkdown(
      {
        phase: 'preview',
        text: 'x',
        markupLost: ['a link'],
        note: 'warmer',
        actions,
        candidate: { index: 1, count: 2, score: 40, target: 50, critique: '' },
      },
      t,
    );
    assert.ok(asked.includes('Score {0} → target {1} · candidate {2} of {3}'));
    assert.ok(asked.includes('Note: {0}'));
    const judged = previewMarkdown(
      {
        phase: 'preview',
        text: 'The proposal.',
        markupLost: [],
        actions: [],
        candidate: { index: 0, count: 2, score: 40, target: 50, critique: 'Too casual.' },
      },
      t,
    );
    assert.ok(asked.includes('Judge: {0}'));
    const rule = judged.indexOf('\n---\n');
    const label = judged.indexOf('«Judge');
    assert.ok(label >= 0 && label < rule && rule < judged.indexOf('proposal'), judged);
    assert.ok(asked.includes('Markup the proposal lost or changed (Accept asks first):'));
    assert.ok(actions.some((a) => a.title === '«Accept»'));
    assert.match(md, /\[«Accept»\]\(command:cptWriter\.acceptRewrite/);
    const streaming = previewMarkdown(
      { phase: 'streaming', text: '', progress: 'part 1 of 2', markupLost: [], actions: [] },
      t,
    );
    assert.ok(asked.includes('Rewriting… ({0})'));
    assert.match(streaming, />«Rewriting…</);
  });

  it('without a translator the English text is unchanged', () => {
    const md = previewMarkdown({ phase: 'streaming', text: '', progress: 'part 1 of 2', markupLost: [], actions: [] });
    assert.match(md, />Rewriting…<.*>\\\(part<.*>2\\\)</);
  });
});

describe('preview: per-change accept', () => {
  const original = 'The quick brown fox jumps over the lazy dog.';
  const text = 'The fast brown fox leaps over the sleepy dog.';
  const session = () => {
    const proposal: Proposal = {
      id: 'r1',
      text,
      parts: [{ rewriteId: 'r1', range: { start: 0, end: text.length }, original }],
      markupLost: [],
      diff: wordDiff(original, text),
      changes: proposalChanges(original, text),
      result: {
        text,
        stopReason: 'eos',
        promptTokens: 1,
        reusedPromptTokens: 0,
        outputTokens: 1,
        timeToFirstTokenMs: 1,
        tokensPerSecond: 1,
        totalMs: 1,
      },
    };
    return [
      { type: 'started', generation: 1, rewriteId: 'r1' },
      { type: 'finished', generation: 1, proposals: [proposal] },
    ].reduce((s, e) => reduceSession(s, e as SessionEvent), createSession(0, original.length, original));
  };
  const read = (md: string) => unescape(md.replace(/<(?!br>)[^>]+>/g, ''));

  it('shows the proposal as before until the writer moves to a change, then the mix and where the focus is', () => {
    const s = session();
    assert.deepEqual(changesView(s), { focus: -1 }, 'plain marks while every change is taken and none in focus');
    const left = [{ type: 'change-step', by: 1 }, { type: 'change-toggle' }].reduce(
      (x, e) => reduceSession(x, e as SessionEvent),
      s,
    );
    const view = changesView(left)!;
    assert.equal(view.summary, '2 of 3 changes taken');
    assert.equal(view.status, 'Change 1 of 3: left (your words kept)');
    const actions = changeActions({ phase: 'preview', previewId: 'r1', keybindings: [], platform: 'linux' });
    const md = previewMarkdown({
      phase: 'preview',
      text,
      markupLost: [],
      changes: view,
      actions: [],
      changeActions: actions,
    });
    assert.ok(read(md).includes('The quick brown fox leaps over the sleepy dog.'), md);
    assert.ok(
      md.includes('codicon-triangle-right"></span> <span style="color:var(--vscode-descriptionForeground);">quick'),
      md,
    );
    assert.deepEqual(
      actions.map((a) => a.command),
      ['cptWriter.nextChange', 'cptWriter.toggleChange', 'cptWriter.takeAllChanges', 'cptWriter.leaveAllChanges'],
    );
    // The document marks only the words still going: not "quick", which the writer kept.
    assert.deepEqual(slices(original, keptRemoved(left)), ['jumps', 'lazy']);
    assert.deepEqual(slices(original, keptRemoved(s)), ['quick', 'jumps', 'lazy']);
  });
});
