// One rewrite at a time: the selection is captured as offsets, the proposal streams into a decoration
// preview (the document is not touched), and only Accept writes, as ONE edit that one undo reverts.
// Edits inside the target while generating or previewing end the preview without writing anything;
// edits elsewhere shift the target.
import * as vscode from 'vscode';
import { shiftRangeAll } from '../../core/feedback/range-tracking';
import type { TextChange } from '../../core/feedback/range-tracking';
import type { Logger } from '../../core/log';
import { cleanRewrite, runBestOf, runRewrite } from '../../core/rewrite';
import type { BestOfOutcome, RewriteOutcome, RewriteRecord, Style } from '../../core/rewrite';
import { levelName } from '../../core/rubrics';
import type { HistoryEntry, RewriteStreamEvent } from '../../shared/protocol';
import { readConfig } from '../common/config';
import type { FeedbackRecorder } from '../feedback/recorder';
import { errorMessage } from '../common/log';
import type { ModelService } from '../model/model-service';
import type { Notifier } from '../common/notify';
import { engineErrorCode } from '../model/engine-factory';
import type { JudgeService } from '../judge/judge-service';
import { readJudgeConfig } from '../judge/config';
import { PreviewCodeLens } from './codelens';
import { PreviewContextKeys } from './context-keys';
import type { ContextKeyState } from './context-keys';
import { PreviewDecorations } from './decorations';
import { Session } from './session';
import type { RewriteEnded, RewriteRunResult, RewriteSnapshot } from './session';

export type { EndOutcome, RewriteEnded, RewritePhase, RewriteRunResult, RewriteSnapshot } from './session';
export type { HistoryEntry, RewriteStreamEvent };

const HISTORY_LIMIT = 20;
const RENDER_INTERVAL_MS = 50;

export interface RewriteControllerDeps {
  models: ModelService;
  feedback: FeedbackRecorder;
  notifier: Notifier;
  logger: Logger;
  /** Select Model… (model/select-model.ts): asked for when no model is configured, then the rewrite continues. */
  selectModel(): Promise<unknown>;
  /** Who scores best-of-N candidates (cptWriter.bestOf above 1). */
  judge: JudgeService;
}

export class RewriteController implements vscode.Disposable {
  private session: Session | undefined;
  private readonly decorations = new PreviewDecorations();
  private readonly lens = new PreviewCodeLens();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<RewriteSnapshot>();
  /** Phase changes and streamed text (throttled). */
  readonly onDidChange = this.changed.event;
  private readonly endedEmitter = new vscode.EventEmitter<RewriteEnded>();
  readonly onDidEnd = this.endedEmitter.event;
  private readonly historyEmitter = new vscode.EventEmitter<readonly HistoryEntry[]>();
  readonly onDidChangeHistory = this.historyEmitter.event;
  private readonly streamEmitter = new vscode.EventEmitter<RewriteStreamEvent>();
  /** started, token*, then one of done / error / cancelled, for every rewrite however it was started. */
  readonly onDidRewrite = this.streamEmitter.event;
  private readonly recent: HistoryEntry[] = [];
  private readonly keys = new PreviewContextKeys();

  constructor(private readonly deps: RewriteControllerDeps) {
    this.disposables.push(
      this.decorations,
      this.lens,
      // '*' matches every document (files, untitled, remote), which is where a rewrite can be.
      vscode.languages.registerCodeLensProvider('*', this.lens),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.session?.doc === doc) this.end(this.session, { outcome: 'cancelled', message: 'The document was closed.' });
      }),
    );
    void this.keys.set({ streaming: false, previewVisible: false, rewriteActive: false }, true);
  }

  snapshot(): RewriteSnapshot {
    const s = this.session;
    if (!s) return { phase: 'idle' };
    return {
      phase: s.phase,
      rubricId: s.style.rubric.id,
      rubricTitle: s.style.rubric.title,
      level: s.style.level,
      levelName: levelName(s.style.rubric, s.style.level),
      original: s.original,
      proposal: s.phase === 'preview' ? s.proposal : s.raw,
      documentUri: s.doc.uri.toString(),
      ...(s.phase === 'preview' && s.candidate ? { candidate: s.candidate } : {}),
      ...(s.progress ? { progress: s.progress } : {}),
    };
  }

  history(): readonly HistoryEntry[] {
    return this.recent;
  }

  /**
   * Rewrites the primary selection of `editor` in `style`. Resolves once the proposal is previewed
   * (or the rewrite ended without one); accepting or rejecting happens later.
   */
  async run(editor: vscode.TextEditor, style: Style): Promise<RewriteRunResult> {
    if (this.session) {
      const message = 'CPT Writer: a rewrite is already open. Accept, reject or cancel it first.';
      this.deps.notifier.info(message);
      this.streamEmitter.fire({ type: 'error', id: this.deps.feedback.newId(), message });
      return { outcome: 'busy', message };
    }
    const selection = editor.selection;
    const doc = editor.document;
    const original = doc.getText(selection);
    if (selection.isEmpty || original.trim() === '') {
      const message = 'CPT Writer: select the text to rewrite first.';
      this.deps.notifier.info(message);
      this.streamEmitter.fire({ type: 'error', id: this.deps.feedback.newId(), message });
      return { outcome: 'no-selection', message };
    }
    if (editor.selections.length > 1) {
      // Rewriting several ranges at once would need several previews and a multi-range undo; one at a time keeps both simple.
      this.deps.notifier.info(`CPT Writer rewrites one selection at a time: only the primary selection (line ${selection.start.line + 1}) is being rewritten.`);
    }
    const session = new Session(doc, doc.offsetAt(selection.start), doc.offsetAt(selection.end), original, style);
    this.session = session;
    session.tracking = vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(session, e));
    this.setPhase(session, 'preparing');

    if (!readConfig().model) {
      this.deps.notifier.info('CPT Writer needs a model first: choose one, and the rewrite continues.');
      await this.deps.selectModel();
      if (session.ended) return this.endedResult(session);
      if (!readConfig().model) {
        const message = 'No model selected, so nothing was rewritten.';
        this.end(session, { outcome: 'error', message });
        return { outcome: 'no-model', message };
      }
    }
    return this.generate(session, false);
  }

  private endedResult(session: Session): RewriteRunResult {
    const ended = session.ended ?? { outcome: 'cancelled' as const };
    return { outcome: ended.outcome, message: ended.message };
  }

  private async generate(session: Session, regenerate: boolean): Promise<RewriteRunResult> {
    const ready = await this.deps.models.ensureReady();
    if (session.ended) return this.endedResult(session);
    if (!ready) {
      // The model service has told the writer why (missing file, download failed, cancelled).
      const status = this.deps.models.status;
      const message = status.state === 'error' ? status.message : 'The model is not loaded.';
      this.end(session, { outcome: 'error', message });
      return { outcome: 'error', message };
    }
    const cfg = readConfig();
    const { rubric, level } = session.style;
    const generation = ++session.generation;
    const rewriteId = this.deps.feedback.newId();
    const startedAt = new Date().toISOString();
    session.rewriteId = rewriteId;
    session.done = false;
    session.raw = '';
    session.abort = new AbortController();
    this.streamEmitter.fire({ type: 'started', id: rewriteId, rubricId: rubric.id, level, original: session.original });
    this.setPhase(session, 'streaming');
    this.deps.logger.info(`rewrite: ${rubric.id} level ${level}, ${session.original.length} chars from ${session.doc.uri.toString()}`);
    const n = readJudgeConfig().bestOf;
    session.candidates = [];
    session.index = 0;
    session.target = undefined;
    session.progress = undefined;
    const job = {
      text: session.original,
      style: session.style,
      source: { languageId: session.doc.languageId, path: documentPath(session.doc) },
      promptMode: cfg.promptMode,
      model: ready.model,
      sampling: { temperature: cfg.temperature, maxTokens: cfg.maxTokens },
      signal: session.abort.signal,
    };
    const onToken = (text: string) => {
      if (session.generation !== generation || session.ended || session.phase !== 'streaming') return;
      session.raw += text;
      this.streamEmitter.fire({ type: 'token', id: rewriteId, text });
      this.scheduleRender(session);
    };
    let outcome: RewriteOutcome | BestOfOutcome;
    try {
      if (n > 1) {
        const judge = await this.deps.judge.generator(ready.engine);
        if (!judge || session.ended || session.generation !== generation) return this.endedResult(session);
        outcome = await runBestOf(ready.engine, {
          ...job, n, judge: { generator: judge },
          onToken: (text) => onToken(text),
          onCandidate: (e) => {
            if (session.generation !== generation || session.ended) return;
            if (e.phase === 'writing') {
              // Each candidate streams into the preview from the start, as a rewrite of its own.
              session.raw = '';
              if (e.index > 0) this.streamEmitter.fire({ type: 'started', id: rewriteId, rubricId: rubric.id, level, original: session.original });
              session.progress = `candidate ${e.index + 1} of ${e.count}`;
            } else if (e.phase === 'written' && e.index === e.count - 1) {
              session.progress = `judging ${e.count} candidates`;
            }
            this.render(session);
          },
        });
      } else {
        outcome = await runRewrite(ready.engine, { ...job, fresh: regenerate, onToken });
      }
    } catch (err) {
      if (session.ended || session.generation !== generation) return this.endedResult(session);
      return this.failed(session, err);
    }
    if (session.ended || session.generation !== generation) return this.endedResult(session);
    if (outcome.status === 'cancelled') {
      this.end(session, { outcome: 'cancelled' });
      return { outcome: 'cancelled' };
    }
    const result = outcome.result;
    this.deps.logger.info(`rewrite done${n > 1 ? ` (best of ${n})` : ''}: ${result.outputTokens} tokens, ${result.promptTokens} prompt tokens (${result.reusedPromptTokens} reused), first token ${Math.round(result.timeToFirstTokenMs)} ms, ${result.tokensPerSecond.toFixed(1)} tok/s, ${result.stopReason}`);
    if (outcome.status === 'empty') {
      const message = 'CPT Writer: the model returned no text, so there is nothing to preview. Your text is unchanged.';
      this.end(session, { outcome: 'empty', message });
      this.deps.notifier.warn(message);
      return { outcome: 'empty', message };
    }
    let proposal: string;
    let record: RewriteRecord;
    let cutOff: boolean;
    if ('candidates' in outcome) {
      session.candidates = outcome.candidates;
      session.target = outcome.target;
      proposal = outcome.candidates[0].text;
      record = outcome.record;
      cutOff = outcome.candidates[0].outcome.result.stopReason === 'maxTokens';
      this.deps.logger.info(`best of ${n}: scores ${outcome.candidates.map((c) => c.score).join(', ')} against target ${outcome.target}`);
    } else {
      proposal = outcome.text;
      record = outcome.record;
      cutOff = result.stopReason === 'maxTokens';
    }
    session.progress = undefined;
    session.proposal = proposal;
    session.note = cutOff ? `cut off at ${cfg.maxTokens} tokens` : undefined;
    void this.deps.feedback.recordRewrite(rewriteId, record);
    this.pushHistory({ id: rewriteId, time: startedAt, rubricId: rubric.id, level, original: session.original, output: proposal, decision: 'pending' });
    session.done = true;
    this.setPhase(session, 'preview');
    this.streamEmitter.fire({
      type: 'done', id: rewriteId, text: proposal,
      stats: {
        promptTokens: result.promptTokens, reusedPromptTokens: result.reusedPromptTokens, outputTokens: result.outputTokens,
        timeToFirstTokenMs: result.timeToFirstTokenMs, tokensPerSecond: result.tokensPerSecond, totalMs: result.totalMs,
      },
    });
    this.fireCandidate(session);
    return { outcome: 'preview', proposal, rewriteId };
  }

  /** Best-of-N: tells the sidebar which candidate the preview shows. */
  private fireCandidate(s: Session): void {
    const c = s.candidate;
    if (c && s.rewriteId) this.streamEmitter.fire({ type: 'candidate', id: s.rewriteId, text: s.proposal, ...c });
  }

  /**
   * Best-of-N: shows the next (`step` 1) or previous (-1) candidate in the preview, wrapping around.
   * Nothing is recorded: only Accept or Reject decide. False when there is no preview with candidates.
   */
  stepCandidate(step: number): boolean {
    const s = this.session;
    if (!s || s.phase !== 'preview' || s.candidates.length < 2) return false;
    const count = s.candidates.length;
    s.index = (((s.index + Math.sign(step)) % count) + count) % count;
    s.proposal = s.candidates[s.index].text;
    const shown = s.candidates[s.index].outcome;
    s.note = shown.result.stopReason === 'maxTokens' ? `cut off at ${shown.sampling.maxTokens} tokens` : undefined;
    this.render(s);
    this.fireCandidate(s);
    return true;
  }

  private failed(session: Session, err: unknown): RewriteRunResult {
    const crashed = engineErrorCode(err) === 'ENGINE_CRASHED';
    const message = `CPT Writer could not rewrite the text: ${errorMessage(err)}. Your text is unchanged.`;
    this.deps.logger.error(message);
    this.end(session, { outcome: 'error', message });
    if (!crashed) this.deps.notifier.error(message); // a crash is already reported by the model service
    return { outcome: 'error', message };
  }

  /** The document, target range and finished proposal while a preview is shown (for Compare). */
  previewTarget(): { doc: vscode.TextDocument; range: vscode.Range; proposal: string } | undefined {
    const s = this.session;
    return s && s.phase === 'preview' ? { doc: s.doc, range: s.range, proposal: s.proposal } : undefined;
  }

  /**
   * Accept: writes the proposal as one edit with undo stops on both sides, so a single undo restores the
   * original. Writes nothing when the target changed since the preview was made (a conflict).
   */
  async accept(): Promise<RewriteRunResult> {
    const s = this.session;
    if (!s || s.phase !== 'preview') return { outcome: 'cancelled', message: 'No rewrite preview to accept.' };
    const range = s.range;
    if (s.doc.getText(range) !== s.original) {
      this.conflict(s);
      return this.endedResult(s);
    }
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === s.doc)
      ?? await vscode.window.showTextDocument(s.doc, { preserveFocus: false });
    // Our own edit must not be taken for the writer's: stop watching before applying it.
    s.tracking?.dispose();
    s.tracking = undefined;
    const proposal = s.proposal;
    const rewriteId = s.rewriteId;
    const candidate = s.candidates.length ? s.index : undefined;
    this.end(s, { outcome: 'accepted', proposal, rewriteId, ...(candidate !== undefined ? { candidate } : {}) });
    let applied = false;
    try {
      applied = await editor.edit((b) => b.replace(range, proposal), { undoStopBefore: true, undoStopAfter: true });
    } catch (err) {
      this.deps.logger.error(`applying the rewrite failed: ${errorMessage(err)}`);
    }
    if (!applied) {
      const message = 'CPT Writer could not apply the rewrite (the editor refused the edit). Your text is unchanged.';
      this.deps.notifier.error(message, copyAction(proposal));
      return { outcome: 'error', message };
    }
    if (rewriteId) {
      void this.deps.feedback.recordDecision(rewriteId, 'accepted', proposal, candidate);
      this.markHistory(rewriteId, 'accepted', proposal);
    }
    return { outcome: 'accepted' };
  }

  /** Reject a preview (recorded as rejected); during generation it is the same as cancel. */
  reject(): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: 'No rewrite to reject.' };
    if (s.phase !== 'preview') return this.cancel();
    this.recordRejected(s);
    this.end(s, { outcome: 'rejected', proposal: s.proposal, rewriteId: s.rewriteId });
    return { outcome: 'rejected' };
  }

  /** Stops generating, or closes a preview without recording a decision. The document is not touched. */
  cancel(): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: 'No rewrite to cancel.' };
    this.end(s, { outcome: 'cancelled' });
    return { outcome: 'cancelled' };
  }

  /** Records the current proposal as rejected, then makes a new one for the same text and style. */
  async regenerate(): Promise<RewriteRunResult> {
    const s = this.session;
    if (!s || s.phase !== 'preview') return { outcome: 'cancelled', message: 'No rewrite preview to regenerate.' };
    this.recordRejected(s);
    s.proposal = '';
    s.rewriteId = undefined;
    s.done = false;
    s.note = undefined;
    this.setPhase(s, 'preparing');
    return this.generate(s, true);
  }

  private recordRejected(s: Session): void {
    if (!s.rewriteId) return;
    void this.deps.feedback.recordDecision(s.rewriteId, 'rejected', s.proposal, s.candidates.length ? s.index : undefined);
    this.markHistory(s.rewriteId, 'rejected');
  }

  private documentChanged(s: Session, e: vscode.TextDocumentChangeEvent): void {
    if (e.document !== s.doc || s.ended || e.contentChanges.length === 0) return;
    const changes: TextChange[] = e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, text: c.text }));
    // Edits elsewhere only move the target; any edit inside it (or one that swallows it) is a conflict.
    const moved = shiftRangeAll(s, changes);
    if (!moved || moved.touched) {
      this.conflict(s);
      return;
    }
    s.start = moved.start;
    s.end = moved.end;
    this.render(s);
  }

  /** The writer edited the text being rewritten: keep their edit, write nothing, offer the proposal. */
  private conflict(s: Session): void {
    const proposal = s.phase === 'preview' ? s.proposal : cleanRewrite(s.original, s.raw);
    const message = 'CPT Writer: the text changed while it was being rewritten, so nothing was replaced and your edits are kept.';
    this.deps.logger.warn(message);
    this.end(s, { outcome: 'conflict', message, proposal: proposal || undefined, rewriteId: s.rewriteId });
    if (proposal) this.deps.notifier.warn(message, copyAction(proposal));
    else this.deps.notifier.warn(message);
  }

  private end(s: Session, ended: RewriteEnded): void {
    if (s.ended) return;
    s.ended = ended;
    s.generation++;
    s.abort?.abort();
    s.tracking?.dispose();
    s.tracking = undefined;
    if (s.renderTimer) clearTimeout(s.renderTimer);
    if (s.rewriteId && !(s.done && (ended.outcome === 'accepted' || ended.outcome === 'rejected'))) {
      // Accept / reject show in the history; anything else ends the sidebar's view of this rewrite.
      this.streamEmitter.fire(ended.outcome === 'error'
        ? { type: 'error', id: s.rewriteId, message: ended.message ?? 'The rewrite failed.' }
        : { type: 'cancelled', id: s.rewriteId });
    } else if (!s.rewriteId && ended.outcome === 'error') {
      this.streamEmitter.fire({ type: 'error', id: this.deps.feedback.newId(), message: ended.message ?? 'The rewrite failed.' });
    }
    if (this.session === s) {
      this.session = undefined;
      this.decorations.clear();
      this.lens.set(undefined);
      void this.updateContext();
      this.changed.fire({ phase: 'idle' });
    }
    this.deps.logger.info(`rewrite ended: ${ended.outcome}${ended.message ? ` (${ended.message})` : ''}`);
    this.endedEmitter.fire(ended);
  }

  private setPhase(s: Session, phase: Session['phase']): void {
    s.phase = phase;
    this.render(s);
    void this.updateContext();
  }

  private scheduleRender(s: Session): void {
    if (s.renderTimer) return;
    s.renderTimer = setTimeout(() => {
      s.renderTimer = undefined;
      if (!s.ended) this.render(s);
    }, RENDER_INTERVAL_MS);
  }

  private render(s: Session): void {
    if (this.session !== s || s.ended) return;
    const range = s.range;
    const text = s.phase === 'preview' ? s.proposal : s.raw;
    this.decorations.show(s.doc, range, text, s.phase !== 'preview');
    this.lens.set({ doc: s.doc, range, phase: s.phase, label: s.label, note: s.note, candidate: s.phase === 'preview' ? s.candidate : undefined, progress: s.progress });
    this.changed.fire(this.snapshot());
  }

  /** The when-clause context keys in step with the session. */
  private updateContext(): Promise<void> {
    const s = this.session;
    return this.keys.set({ streaming: !!s && s.phase !== 'preview', previewVisible: s?.phase === 'preview', rewriteActive: !!s });
  }

  /** The context keys as last set (for tests). */
  contextKeys(): ContextKeyState {
    return { ...this.keys.current };
  }

  private pushHistory(entry: HistoryEntry): void {
    this.recent.unshift(entry);
    if (this.recent.length > HISTORY_LIMIT) this.recent.pop();
    this.historyEmitter.fire(this.recent);
  }

  private markHistory(rewriteId: string, decision: 'accepted' | 'rejected', output?: string): void {
    const entry = this.recent.find((h) => h.id === rewriteId);
    if (entry) {
      entry.decision = decision;
      if (output !== undefined) entry.output = output;
      this.historyEmitter.fire(this.recent);
    }
  }

  dispose(): void {
    if (this.session) this.end(this.session, { outcome: 'cancelled' });
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.endedEmitter.dispose();
    this.historyEmitter.dispose();
    this.streamEmitter.dispose();
  }
}

function copyAction(proposal: string) {
  return { title: 'Copy Proposal', run: () => vscode.env.clipboard.writeText(proposal) };
}

function documentPath(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri, true) : doc.uri.toString();
}
