// What the preview zone below the rewritten text says, as the Markdown (with the few HTML tags VS Code's
// sanitizer keeps: <span> with a theme-colour style or a codicon class, <br>) of one comment: markup the
// proposal lost (what the writer must know before accepting), the whole proposal, wrapped, its new words
// marked, a cut-off and the writer's note, and the actions as links. The one place a proposal is rendered.
//
// The proposal is the writer's own source text (Markdown, LaTeX, code comments): it is shown as written,
// never rendered, so every character that means something to Markdown or HTML is escaped, line breaks
// become <br> and runs of spaces stay visible.
// No `vscode` import: unit-tested in plain Node.
import type { MixSegment } from '../../core/rewrite/changes';
import type { TextRange } from '../../core/rewrite/word-diff';
import type { ChangesView } from './change-view';
import { english, type Translate } from '../common/translate';
import { localizeMarkupLines } from '../../core/markup/compare';

export interface PreviewAction {
  title: string;
  command: string;
  /** The command's arguments (JSON-encoded into the link). */
  args: unknown[];
  /** The key hint ("Ctrl+Enter"), when the command has a key. */
  key?: string;
  tooltip?: string;
}

export interface PreviewBodyView {
  phase: 'preparing' | 'streaming' | 'preview';
  /** The proposal (preview) or as much of it as has streamed. */
  text: string;
  /** Ranges of `text` the original does not have (preview only). */
  added?: readonly TextRange[];
  /** "part 2 of 3" while a long text is rewritten in parts. */
  progress?: string;
  /** The writer's one-off note for this rewrite. */
  note?: string;
  /** The markup guard's report: what of the original's markup the proposal lost or altered. */
  markupLost: readonly string[];
  /** Why the proposal may be incomplete ("cut off at 1024 tokens (cptWriter.maxTokens)"). */
  cutOff?: string;
  /** Best-of-N: the candidate shown and the judge's verdict on it. */
  candidate?: { index: number; count: number; score: number; target: number; critique: string };
  /** Per-change accept: the mix shown and where the focus is (preview only, when the proposal has changes). */
  changes?: ChangesView;
  actions: readonly PreviewAction[];
  /** Next Change, Take or Leave, Take All, Leave All (when the proposal has changes). */
  changeActions?: readonly PreviewAction[];
}

/** Theme colours as CSS variables, the only colours VS Code's Markdown sanitizer lets a <span> carry. */
const INSERTED = 'background-color:var(--vscode-diffEditor-insertedTextBackground);';
const WARNING = 'color:var(--vscode-editorWarning-foreground);';
const MUTED = 'color:var(--vscode-descriptionForeground);';
/** A left change: the writer's own words, kept, in the muted colour (a taken one has the inserted colour). */
const LEFT = MUTED;

const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/**
 * `text` as Markdown that renders to exactly `text`: ASCII punctuation backslash-escaped (CommonMark
 * allows it for every one), `<`, `>` and `&` as entities, line breaks as <br>, and every space after the
 * first of a run (or at a line start) and every tab as non-breaking spaces. `before` is the character
 * that precedes `text` where it is shown ('\n' for the start of a line).
 */
export function escapeText(text: string, before = '\n'): string {
  let out = '';
  // What precedes `text` (a highlighted run continues the text before it) decides its first space.
  let lineStart = before === '\n';
  let previousSpace = before === ' ' || before === '\t';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    if (ch === '\n') {
      out += '<br>';
      lineStart = true;
      previousSpace = false;
      continue;
    }
    if (ch === ' ') {
      out += lineStart || previousSpace ? '&nbsp;' : ' ';
      previousSpace = true;
      continue;
    }
    if (ch === '\t') out += '&nbsp;&nbsp;&nbsp;&nbsp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '&') out += '&amp;';
    else if (ASCII_PUNCTUATION.test(ch)) out += `\\${ch}`;
    else out += ch;
    lineStart = false;
    previousSpace = ch === '\t';
  }
  return out;
}

/** Longest run of characters in one styled <span>; a longer word is cut into several with a break chance between. */
const SPAN_CHARS = 24;

/**
 * `text` in `style`. VS Code's comment widget never wraps inside a <span> (white-space: pre), so each
 * word gets its own span and the spaces between words stay outside, where the line can break; a very
 * long "word" (a URL) is cut into pieces with <wbr> between them.
 */
export function styledText(text: string, style: string, before = '\n'): string {
  let out = '';
  let prev = before;
  for (const piece of text.split(/(\s+)/)) {
    if (!piece) continue;
    if (/^\s/.test(piece)) {
      out += escapeText(piece, prev);
    } else {
      const chunks = piece.match(new RegExp(`[^]{1,${SPAN_CHARS}}`, 'gu')) ?? [];
      out += chunks.map((c) => `<span style="${style}">${escapeText(c, ' ')}</span>`).join('<wbr>');
    }
    prev = piece[piece.length - 1];
  }
  return out;
}

/** `text` with the `added` ranges highlighted in the theme's inserted-text colour. */
export function markedText(text: string, added: readonly TextRange[] = []): string {
  let out = '';
  let at = 0;
  const prev = (i: number) => (i > 0 ? text[i - 1] : '\n');
  for (const r of [...added].sort((x, y) => x.start - y.start)) {
    const start = Math.max(at, Math.min(r.start, text.length));
    const end = Math.max(start, Math.min(r.end, text.length));
    if (end === start) continue;
    out += escapeText(text.slice(at, start), prev(at));
    out += styledText(text.slice(start, end), INSERTED, prev(start));
    at = end;
  }
  return out + escapeText(text.slice(at), prev(at));
}

/**
 * The mix of taken and left changes: taken words in the inserted colour, left (original) words muted, and
 * a marker before the change the keys act on, so a change that only removes words can be found too.
 */
export function mixedText(segments: readonly MixSegment[], focus: number): string {
  let out = '';
  let prev = '\n';
  for (const seg of segments) {
    if (seg.change !== undefined && seg.change === focus) out += icon('triangle-right');
    if (seg.kind === 'same') out += escapeText(seg.text, prev);
    else out += styledText(seg.text, seg.kind === 'taken' ? INSERTED : LEFT, prev);
    if (seg.text) prev = seg.text[seg.text.length - 1];
  }
  return out;
}

function icon(name: string, spin = false): string {
  return `<span class="codicon codicon-${name}${spin ? ' codicon-modifier-spin' : ''}"></span>`;
}

/** A `command:` link with its arguments, as VS Code's Markdown opener expects them (URI-encoded JSON). */
export function commandLink(a: PreviewAction): string {
  const label = escapeText(a.key ? `${a.title} (${a.key})` : a.title);
  const query = a.args.length ? `?${encodeURIComponent(JSON.stringify(a.args))}` : '';
  const title = a.tooltip ? ` "${a.tooltip.replace(/["\\]/g, '\\$&')}"` : '';
  return `[${label}](command:${a.command}${query}${title})`;
}

/** The Markdown of the preview comment (see the file comment). */
export function previewMarkdown(view: PreviewBodyView, t: Translate = english): string {
  const blocks: string[] = [];
  const streaming = view.phase !== 'preview';
  if (streaming) {
    const what =
      view.phase === 'preparing'
        ? view.progress
          ? t('Preparing… ({0})', view.progress)
          : t('Preparing…')
        : view.progress
          ? t('Rewriting… ({0})', view.progress)
          : t('Rewriting…');
    blocks.push(`${icon('loading', true)} ${styledText(what, MUTED, ' ')}`);
  }
  // The markup warning comes first: VS Code caps a comment's height, and a long proposal scrolls.
  if (view.markupLost.length) {
    const items = localizeMarkupLines(view.markupLost, t)
      .map((item) => escapeText(item))
      .join('<br>');
    blocks.push(
      `${icon('warning')} ` +
        `${styledText(t('Markup the proposal lost or changed (Accept asks first):'), WARNING, ' ')}<br>${items}`,
    );
  }
  if (view.candidate) {
    const c = view.candidate;
    const line =
      c.index === 0
        ? t(
            'Score {0} → target {1} · candidate {2} of {3} (nearest the target)',
            c.score,
            c.target,
            c.index + 1,
            c.count,
          )
        : t('Score {0} → target {1} · candidate {2} of {3}', c.score, c.target, c.index + 1, c.count);
    // The critique is the judge's, not the proposal's: labelled, and a rule sets it apart from the text.
    blocks.push(
      `${icon('law')} ${styledText(line, MUTED, ' ')}` +
        (c.critique ? `<br>${styledText(t('Judge: {0}', c.critique), MUTED)}` : ''),
      '---',
    );
  }
  // Above the text too: a long proposal scrolls inside the zone, and a cut-off must be seen before Accept.
  if (view.cutOff) blocks.push(`${icon('warning')} ${styledText(view.cutOff, WARNING, ' ')}`);
  const c = view.changes;
  const where = [c?.status, c?.summary].filter((x): x is string => !!x).join(' · ');
  if (where) blocks.push(`${icon('list-selection')} ${styledText(where, MUTED, ' ')}`);
  const text =
    view.phase !== 'preview'
      ? escapeText(view.text)
      : c?.segments
        ? mixedText(c.segments, c.focus)
        : markedText(view.text, view.added);
  if (text || !streaming) blocks.push(`${text || styledText(t('(empty)'), MUTED)}${streaming ? ' ▍' : ''}`);
  if (view.note) blocks.push(`${icon('note')} ${styledText(t('Note: {0}', view.note), MUTED, ' ')}`);
  if (view.actions.length) blocks.push(view.actions.map(commandLink).join(' · '));
  if (view.changeActions?.length) blocks.push(view.changeActions.map(commandLink).join(' · '));
  return blocks.join('\n\n');
}
