// One rewrite at a time in the editor. The target (the selection, or the paragraph at the cursor) is
// captured as offsets; core/rewrite's rewrite() does the work (one part, several, or best-of-N; see its
// policy for a long text); every change is an event for the pure session reducer
// (src/core/rewrite/session.ts), whose state the presenter draws (zone, decorations, CodeLens, context
// keys) and the decision logger records. The document is not touched until Accept, which writes ONE edit
// that one undo reverts. Edits inside the target while generating or previewing end the session without
// writing anything; edits elsewhere shift the target.
import * as vscode from 'vscode';
import type { Style } from '../../core/rewrite';
import type { HistoryEntry } from '../../shared/protocol';
import {
  createSession,
  reduceSession,
  shownProposal,
  type ChangeEvent,
  type SessionEvent,
  type SessionState,
} from '../../core/rewrite/session';
import { readConfig } from '../common/config';
import { DecisionLogger } from './decision-log';
import { RewritePresenter, rewriteTarget, snapshotOf, targetRange } from './presenter';
import type {
  OpenSession,
  RewriteControllerDeps,
  RewriteEnded,
  RewriteRunResult,
  RewriteSnapshot,
  RewriteStreamEvent,
  RunOptions,
} from './session';
import { PreviewThread } from './thread';
import { acceptProposal, copyAction } from './accept';
import { candidateEvent, endEvent } from './stream-events';
import { generate } from './generation';
import { RewriteViewFeed } from './view-feed';

export type {
  AcceptedPart,
  OpenSession,
  RewriteControllerDeps,
  RunOptions,
  EndOutcome,
  RewriteEnded,
  RewritePhase,
  RewriteRunResult,
  RewriteSnapshot,
} from './session';
export type { HistoryEntry, RewriteStreamEvent };

/** The preview is redrawn at most this often while text streams. */
const RENDER_INTERVAL_MS = 100;

export class RewriteController implements vscode.Disposable {
  private session: OpenSession | undefined;
  /** Draws the session (zone, CodeLens, decorations, context keys); tests read what it last drew. */
  readonly presenter: RewritePresenter;
  readonly decisions: DecisionLogger;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<RewriteSnapshot>();
  /** Phase changes and streamed text (throttled). */
  readonly onDidChange = this.changed.event;
  private readonly endedEmitter = new vscode.EventEmitter<RewriteEnded>();
  readonly onDidEnd = this.endedEmitter.event;
  readonly onDidChangeHistory: vscode.Event<readonly HistoryEntry[]>;
  private readonly streamEmitter = new vscode.EventEmitter<RewriteStreamEvent>();
  /** started, token*, then one of done / error / cancelled, for every rewrite however it was started. */
  readonly onDidRewrite = this.streamEmitter.event;
  /** What the sidebar shows of the latest rewrite, drawn from the same state as the preview. */
  readonly view = new RewriteViewFeed();

  constructor(readonly deps: RewriteControllerDeps) {
    this.presenter = new RewritePresenter(deps.keybindings ?? []);
    this.decisions = new DecisionLogger(deps.feedback);
    this.onDidChangeHistory = this.decisions.onDidChangeHistory;
    this.disposables.push(
      this.presenter,
      this.decisions,
      // '*' matches every document (files, untitled, remote), which is where a rewrite can be.
      vscode.languages.registerCodeLensProvider('*', this.presenter.lens),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.session?.doc === doc)
          this.dispatch(this.session, { type: 'cancelled', message: vscode.l10n.t('The document was closed.') });
      }),
    );
  }

  snapshot(): RewriteSnapshot {
    return this.session ? snapshotOf(this.session) : { phase: 'idle' };
  }

  history(): readonly HistoryEntry[] {
    return this.decisions.history();
  }

  /** A rewrite that could not start (busy, nothing selected): an error in the sidebar and the stream. */
  private refused(style: Style, message: string): void {
    const id = this.deps.feedback.newId();
    this.stream({ type: 'error', id, message });
    this.view.refused(id, style, message);
  }

  /** Fires a stream event (the first-use notice, the walkthrough and tests follow them). */
  stream(e: RewriteStreamEvent): void {
    this.streamEmitter.fire(e);
  }

  /**
   * Rewrites the primary selection of `editor` in `style`, or with nothing selected the paragraph at the
   * cursor. Resolves once the proposal is previewed (or the rewrite ended without one); accepting or
   * rejecting happens later.
   */
  async run(editor: vscode.TextEditor, style: Style, options: RunOptions = {}): Promise<RewriteRunResult> {
    if (this.session) {
      const message = vscode.l10n.t('CPT Writer: a rewrite is already open. Accept, reject or cancel it first.');
      this.deps.notifier.info(message);
      this.refused(style, message);
      return { outcome: 'busy', message };
    }
    const doc = editor.document;
    const target = rewriteTarget(editor);
    if (!target) {
      const message = vscode.l10n.t('CPT Writer: select the text to rewrite, or put the cursor in a paragraph.');
      this.deps.notifier.info(message);
      this.refused(style, message);
      return { outcome: 'no-selection', message };
    }
    if (editor.selections.length > 1) {
      // Several ranges at once would need several previews and a multi-range undo; one at a time keeps both simple.
      this.deps.notifier.info(
        vscode.l10n.t(
          'CPT Writer rewrites one selection at a time: only the primary selection (line {0}) is being rewritten.',
          editor.selection.start.line + 1,
        ),
      );
    }
    const text = doc.getText();
    const session: OpenSession = {
      doc,
      style,
      note: options.note?.trim() || undefined,
      surrounding: { before: text.slice(0, target.start), after: text.slice(target.end) },
      state: createSession(target.start, target.end, text.slice(target.start, target.end)),
    };
    this.session = session;
    session.tracking = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== session.doc || e.contentChanges.length === 0) return;
      const changes = e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text }));
      this.dispatch(session, { type: 'document-changed', changes });
    });
    this.render(session);

    if (!readConfig().model) {
      this.deps.notifier.info(vscode.l10n.t('CPT Writer needs a model first: choose one, and the rewrite continues.'));
      await this.deps.selectModel();
      if (session.state.ended) return this.endedResult(session);
      if (!readConfig().model) {
        const message = vscode.l10n.t('No model selected, so nothing was rewritten.');
        this.dispatch(session, { type: 'failed', message });
        return { outcome: 'no-model', message };
      }
    }
    return generate(this, session, false);
  }

  endedResult(session: OpenSession): RewriteRunResult {
    const ended = session.state.ended ?? { outcome: 'cancelled' as const };
    return { outcome: ended.outcome, message: ended.message };
  }

  /**
   * Applies `e` to the session's state, then does what the transition asks of the editor: redraw (at
   * once, or throttled for tokens), and on the end release the session and tell the sidebar and the log.
   */
  dispatch(s: OpenSession, e: SessionEvent): void {
    const before = s.state;
    const next = reduceSession(before, e);
    if (next === before) return;
    s.state = next;
    // A session that failed before any generation started has no id of its own: its error gets one.
    const failedId = next.ended?.outcome === 'error' && !next.rewriteId ? this.deps.feedback.newId() : undefined;
    this.view.follow(next, s.style, s.note, failedId);
    if (next.ended) this.ended(s, before, failedId);
    else if (e.type === 'token') this.scheduleRender(s);
    else this.render(s);
  }

  private ended(s: OpenSession, before: SessionState, failedId: string | undefined): void {
    let ended = s.state.ended!;
    s.abort?.abort();
    s.tracking?.dispose();
    s.tracking = undefined;
    if (s.renderTimer) clearTimeout(s.renderTimer);
    if (ended.outcome === 'conflict') {
      // The writer edited the text being rewritten: keep their edit, write nothing, offer the proposal.
      const message = vscode.l10n.t(
        'CPT Writer: the text changed while it was being rewritten, so nothing was replaced and your edits are kept.',
      );
      ended = { ...ended, message };
      s.state = { ...s.state, ended };
      this.deps.logger.warn(message);
    }
    // A shown proposal closed with no decision: the history stops saying Pending (the log has nothing).
    const shown = shownProposal(before);
    if (shown && (ended.outcome === 'cancelled' || ended.outcome === 'conflict')) this.decisions.cancelled(shown.id);
    const event = endEvent(before, ended, () => failedId ?? this.deps.feedback.newId());
    if (event) this.stream(event);
    if (this.session === s) {
      this.session = undefined;
      this.presenter.clear();
      this.changed.fire({ phase: 'idle' });
    }
    this.deps.logger.info(`rewrite ended: ${ended.outcome}${ended.message ? ` (${ended.message})` : ''}`);
    this.endedEmitter.fire(ended);
    if (ended.outcome === 'conflict' && ended.message) {
      const copy = ended.proposal ? [copyAction(ended.proposal)] : [];
      this.deps.notifier.warn(ended.message, ...copy);
    }
  }

  private scheduleRender(s: OpenSession): void {
    if (s.renderTimer) return;
    s.renderTimer = setTimeout(() => {
      s.renderTimer = undefined;
      this.render(s);
    }, RENDER_INTERVAL_MS);
  }

  render(s: OpenSession): void {
    if (this.session !== s || s.state.ended) return;
    this.presenter.show(s);
    this.changed.fire(this.snapshot());
  }

  /** Best-of-N: tells the sidebar which candidate the preview shows. */
  fireCandidate(s: OpenSession): void {
    const event = candidateEvent(s.state);
    if (event) this.stream(event);
  }

  /**
   * Best-of-N: shows the next (`step` 1) or previous (-1) candidate, wrapping around. Nothing is
   * recorded: only Accept or Reject decide. False when there is no preview with candidates to step to.
   */
  stepCandidate(step: number, target?: unknown): boolean {
    const s = this.session;
    if (!s || !this.isFor(s, target)) return false;
    const before = s.state;
    this.dispatch(s, { type: 'candidate', by: step });
    if (s.state === before) return false;
    this.fireCandidate(s);
    return true;
  }

  /** Per-change accept: focus, take or leave a change, or all; nothing is recorded. False: nothing to act on. */
  changeEvent(e: ChangeEvent, target?: unknown): boolean {
    const s = this.session;
    if (!s || !this.isFor(s, target)) return false;
    const before = s.state;
    this.dispatch(s, e);
    return s.state !== before;
  }

  /** The document, target range and finished proposal while a preview is shown (for Compare). */
  previewTarget(target?: unknown): { doc: vscode.TextDocument; range: vscode.Range; proposal: string } | undefined {
    const s = this.session;
    const p = s && shownProposal(s.state);
    if (!s || !p || !this.isFor(s, target)) return undefined;
    return { doc: s.doc, range: targetRange(s.doc, s.state), proposal: p.text };
  }

  /**
   * Whether an action's argument names the open rewrite: nothing (a key scoped to its document, the
   * palette, the sidebar after its own check), the preview's id (a CodeLens or a link in the preview
   * zone), its comment thread (the zone's title bar) or its document's URI. Anything else, such as the id
   * of a preview since regenerated, names another preview, and the action does nothing.
   */
  private isFor(s: OpenSession, target: unknown): boolean {
    if (target === undefined || target === null) return true;
    if (typeof target === 'string') return target === (shownProposal(s.state)?.id ?? s.state.rewriteId);
    if (target instanceof vscode.Uri) return target.toString() === s.doc.uri.toString();
    if (PreviewThread.isThread(target)) return this.presenter.thread.owns(target);
    return false;
  }

  private notForThis(action: string, target: unknown): RewriteRunResult {
    const message = vscode.l10n.t(
      'CPT Writer: that {0} was for a preview that is no longer open, so it did nothing.',
      action,
    );
    this.deps.logger.info(`${message} (${typeof target === 'string' ? target : typeof target})`);
    return { outcome: 'cancelled', message };
  }

  /** Accept: see preview/accept.ts. */
  async accept(target?: unknown): Promise<RewriteRunResult> {
    const s = this.session;
    const p = s && shownProposal(s.state);
    if (!s || !p) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite preview to accept.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Accept'), target);
    return acceptProposal(this, s, p, () => this.session === s && shownProposal(s.state) === p);
  }

  /** Reject a preview (recorded as rejected); during generation it is the same as cancel. */
  reject(target?: unknown): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite to reject.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Reject'), target);
    const p = shownProposal(s.state);
    if (!p) return this.cancel();
    this.decisions.decided(p, 'rejected');
    this.dispatch(s, { type: 'rejected' });
    return { outcome: 'rejected' };
  }

  /** Stops generating, or closes a preview without recording a decision. The document is not touched. */
  cancel(target?: unknown): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite to cancel.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Cancel'), target);
    this.dispatch(s, { type: 'cancelled' });
    return { outcome: 'cancelled' };
  }

  /** Records the current proposal as rejected, then makes a new one for the same text and style. */
  async regenerate(target?: unknown): Promise<RewriteRunResult> {
    const s = this.session;
    const p = s && shownProposal(s.state);
    if (!s || !p) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite preview to regenerate.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Regenerate'), target);
    this.decisions.decided(p, 'rejected');
    this.dispatch(s, { type: 'regenerating' });
    return generate(this, s, true);
  }

  dispose(): void {
    if (this.session) this.dispatch(this.session, { type: 'cancelled' });
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.endedEmitter.dispose();
    this.streamEmitter.dispose();
    this.view.dispose();
  }
}
