// Draws the session's state (src/core/rewrite/session.ts) in the editor: the comment-thread zone below
// the target, the decorations on it, the CodeLens row above it and the when-clause context keys. It keeps
// no state of the rewrite; the controller calls show() after every change and clear() when it ends.
import * as vscode from 'vscode';
import type { Style } from '../../core/rewrite';
import { paragraphAt } from '../../core/paragraphs';
import { levelName } from '../../core/rubrics';
import type { RewriteSnapshot } from './session';
import { shownCandidate, shownMix, shownProposal, type SessionState } from '../../core/rewrite/session';
import { PreviewCodeLens } from './codelens';
import { IDLE_KEYS, PreviewContextKeys, type ContextKeyState } from './context-keys';
import { PreviewDecorations } from './decorations';
import type { KeyPlatform, ManifestKeybinding } from './key-labels';
import { previewActions } from './preview-actions';
import type { PreviewAction } from './preview-body';
import { PreviewThread, type ShownPreview } from './thread';
import { changeActions, changesView, keptRemoved } from './change-view';

/** What the presenter draws: the session's state and what it was started with. */
export interface PresentedSession {
  doc: vscode.TextDocument;
  style: Style;
  note?: string;
  state: SessionState;
}

/** The writer's keyboard platform, when the extension host runs on the same machine as the window. */
function keyPlatform(): KeyPlatform {
  if (vscode.env.uiKind !== vscode.UIKind.Desktop || vscode.env.remoteName) return undefined;
  return process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'windows' : 'linux';
}

export function styleLabel(style: Style): string {
  return `${style.rubric.title} · ${levelName(style.rubric, style.level)}`;
}

export function targetRange(doc: vscode.TextDocument, state: Pick<SessionState, 'start' | 'end'>): vscode.Range {
  return new vscode.Range(doc.positionAt(state.start), doc.positionAt(state.end));
}

export class RewritePresenter implements vscode.Disposable {
  private readonly decorations = new PreviewDecorations();
  readonly lens = new PreviewCodeLens();
  readonly thread = new PreviewThread();
  private readonly keys = new PreviewContextKeys();
  private readonly platform = keyPlatform();
  /** The session whose zone was scrolled into view once (see reveal). */
  private revealedFor: object | undefined;

  constructor(private readonly keybindings: readonly ManifestKeybinding[]) {
    void this.keys.set(IDLE_KEYS, undefined, true);
  }

  show(s: PresentedSession): void {
    const { doc, state } = s;
    const range = targetRange(doc, state);
    const p = shownProposal(state);
    const at = (offset: number) => doc.positionAt(state.start + offset);
    const removed = keptRemoved(state).map((r) => new vscode.Range(at(r.start), at(r.end)));
    this.decorations.show(doc, range, removed);
    const actionContext = {
      phase: state.phase,
      previewId: p?.id ?? state.rewriteId,
      keybindings: this.keybindings,
      platform: this.platform,
      candidates: p ? state.proposals.length : state.streams.length,
    };
    const actions = previewActions(actionContext, vscode.l10n.t);
    const changes = changesView(state, vscode.l10n.t);
    const a = state.activity;
    const progress = state.progress
      ? vscode.l10n.t('part {0} of {1}', state.progress.index + 1, state.progress.count)
      : a?.kind === 'candidate'
        ? vscode.l10n.t('candidate {0} of {1}', a.index + 1, a.count)
        : a?.kind === 'judging'
          ? vscode.l10n.t('judging {0} candidates', a.count)
          : undefined;
    const c = shownCandidate(state);
    const label = styleLabel(s.style);
    const heading = p
      ? [
          `$(sparkle) ${label}`,
          ...(c
            ? [
                vscode.l10n.t('{0} → target {1}', c.score, c.target),
                vscode.l10n.t('candidate {0} of {1}', c.index + 1, c.count),
              ]
            : []),
          ...(p.parts.length > 1 ? [vscode.l10n.t('{0} parts', p.parts.length)] : []),
          ...(p.markupLost.length ? [vscode.l10n.t('lost markup')] : []),
          ...(p.cutOff ? [vscode.l10n.t('cut off')] : []),
          ...(changes?.summary ? [changes.summary] : []),
        ].join(' · ')
      : `$(sync~spin) ${
          state.phase === 'preparing'
            ? progress
              ? vscode.l10n.t('Preparing: {0} ({1})', label, progress)
              : vscode.l10n.t('Preparing: {0}', label)
            : progress
              ? vscode.l10n.t('Rewriting: {0} ({1})', label, progress)
              : vscode.l10n.t('Rewriting: {0}', label)
        }`;
    this.lens.set({ doc, range, heading, actions });
    this.thread.show(doc, range, {
      styleLabel: label,
      status: p ? vscode.l10n.t('proposal') : vscode.l10n.t('rewriting…'),
      // The zone's title bar stays put while a long proposal scrolls: it says what must be known.
      label: heading.replace(/^\$\([^)]*\)\s*/, ''),
      phase: state.phase,
      text: p ? p.text : state.streamed,
      added: p?.diff?.added,
      ...(changes ? { changes } : {}),
      changeActions: p?.changes?.length ? changeActions(actionContext, vscode.l10n.t) : [],
      progress,
      note: s.note,
      markupLost: p?.markupLost ?? [],
      cutOff: p?.cutOff,
      ...(c ? { candidate: c } : {}),
      actions,
    });
    this.reveal(s, range);
    void this.setKeys(state, doc.uri);
  }

  clear(): void {
    this.decorations.clear();
    this.lens.set(undefined);
    this.thread.clear();
    this.revealedFor = undefined;
    void this.setKeys(undefined, undefined);
  }

  /** The when-clause context keys in step with the session (undefined: no rewrite open). */
  setKeys(state: SessionState | undefined, uri: vscode.Uri | undefined): Promise<void> {
    return this.keys.set(
      {
        streaming: !!state && state.phase !== 'preview',
        previewVisible: state?.phase === 'preview',
        rewriteActive: !!state,
        previewHasChanges: !!state && !!shownProposal(state)?.changes?.length,
      },
      uri,
    );
  }

  /**
   * Once per session: when the text ends in the lower part of the editor, scroll it to the top so the
   * preview zone below it is on screen.
   */
  private reveal(s: PresentedSession, range: vscode.Range): void {
    if (this.revealedFor === s) return;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === s.doc);
    const visible = editor?.visibleRanges ?? [];
    if (!editor || !visible.length) return;
    this.revealedFor = s;
    const first = visible[0].start.line;
    const last = visible[visible.length - 1].end.line;
    const endLine =
      range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    if (endLine >= first && last - endLine >= Math.max(3, (last - first) / 2)) return;
    const top = Math.max(0, range.start.line - 1);
    editor.revealRange(new vscode.Range(top, 0, top, 0), vscode.TextEditorRevealType.AtTop);
  }

  /** What the preview zone shows now (for tests). */
  previewShown(): ShownPreview | undefined {
    return this.thread.current();
  }

  /** The CodeLens row as last set (for tests). */
  lensShown(): { heading: string; actions: readonly PreviewAction[] } | undefined {
    return this.lens.current();
  }

  /** The context keys as last set (for tests). */
  contextKeys(): ContextKeyState {
    const k = this.keys.current;
    return { ...k, previewResources: [...k.previewResources] };
  }

  dispose(): void {
    this.decorations.dispose();
    this.lens.dispose();
    this.thread.dispose();
  }
}

/** What the sidebar and tests see of the open rewrite. */
export function snapshotOf(s: PresentedSession): RewriteSnapshot {
  const st = s.state;
  const p = shownProposal(st);
  const candidate = shownCandidate(st);
  return {
    phase: st.phase,
    rubricId: s.style.rubric.id,
    rubricTitle: s.style.rubric.title,
    level: s.style.level,
    levelName: levelName(s.style.rubric, s.style.level),
    original: st.original,
    // What Accept would write: the proposal with the changes the writer left put back.
    proposal: p ? (shownMix(st)?.text ?? p.text) : st.streamed,
    documentUri: s.doc.uri.toString(),
    start: st.start,
    end: st.end,
    ...(s.note ? { note: s.note } : {}),
    ...(p ? { parts: p.parts.length, markupLost: [...p.markupLost] } : st.progress ? { parts: st.progress.count } : {}),
    ...(candidate ? { candidate } : {}),
  };
}

/** The selection's offsets, or with nothing (or only whitespace) selected the paragraph at the cursor. */
export function rewriteTarget(editor: vscode.TextEditor): { start: number; end: number } | undefined {
  const doc = editor.document;
  const selection = editor.selection;
  if (!selection.isEmpty && doc.getText(selection).trim() !== '') {
    return { start: doc.offsetAt(selection.start), end: doc.offsetAt(selection.end) };
  }
  const paragraph = paragraphAt(doc.getText(), doc.offsetAt(selection.active), doc.languageId);
  if (!paragraph || doc.getText().slice(paragraph.start, paragraph.end).trim() === '') return undefined;
  return paragraph;
}
