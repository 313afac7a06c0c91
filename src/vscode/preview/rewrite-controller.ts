// One rewrite at a time: the target (the selection, or the paragraph at the cursor) is captured as
// offsets, the proposal streams into the preview (a comment-thread zone below the text, decorations on
// it, a CodeLens row above it; the document is not touched), and only Accept writes, as ONE edit that one
// undo reverts. A target longer than the model's context is rewritten paragraph by paragraph into one
// proposal (core/rewrite's rewriteInParts), still one preview, one Accept and one undo. With best-of-N
// (cptWriter.bestOf above 1) a text that fits one part is written N times, each candidate judged against
// the rubric (core/rewrite's runBestOf), and the preview shows the nearest the level's target first with
// the others a step away; a text too long for one part is rewritten once, in parts.
// Edits inside the target while generating or previewing end the preview without writing anything;
// edits elsewhere shift the target.
import * as vscode from 'vscode';
import { shiftRangeAll } from '../../core/feedback/range-tracking';
import type { TextChange } from '../../core/feedback/range-tracking';
import type { Logger } from '../../core/log';
import { contextAround, DEFAULT_CONTEXT_TOKENS } from '../../core/paragraphs';
import { paragraphAt } from '../../core/paragraphs';
import { createOutputCleaner, createPartsPrinter, planRewrite, rewriteInParts, runBestOf } from '../../core/rewrite';
import type { BestOfOutcome, OutputCleaner, PartsJob, PartsOutcome, Style } from '../../core/rewrite';
import type { GenerateResult, TextGenerator } from '../../core/engine';
import { levelName } from '../../core/rubrics';
import type { HistoryEntry, RewriteStreamEvent } from '../../shared/protocol';
import { readConfig } from '../common/config';
import type { FeedbackRecorder } from '../feedback/recorder';
import { errorMessage } from '../common/log';
import type { ModelService } from '../model/model-service';
import type { Notifier } from '../common/notify';
import { engineErrorCode } from '../model/engine-factory';
import { readJudgeConfig } from '../judge/config';
import type { JudgeService } from '../judge/judge-service';
import { PreviewCodeLens } from './codelens';
import { IDLE_KEYS, PreviewContextKeys } from './context-keys';
import type { ContextKeyState } from './context-keys';
import { PreviewDecorations } from './decorations';
import type { KeyPlatform, ManifestKeybinding } from './key-labels';
import { previewActions } from './preview-actions';
import type { PreviewAction } from './preview-body';
import { Session } from './session';
import type { AcceptedPart, Proposal, ProposalPart, RewriteEnded, RewriteRunResult, RewriteSnapshot } from './session';
import { PreviewThread } from './thread';
import type { ShownPreview } from './thread';
import { wordDiff } from './word-diff';

export type {
  AcceptedPart,
  EndOutcome,
  RewriteEnded,
  RewritePhase,
  RewriteRunResult,
  RewriteSnapshot,
} from './session';
export type { HistoryEntry, RewriteStreamEvent };

const HISTORY_LIMIT = 20;
/** The preview is redrawn at most this often while text streams. */
const RENDER_INTERVAL_MS = 100;

export interface RewriteControllerDeps {
  models: ModelService;
  feedback: FeedbackRecorder;
  notifier: Notifier;
  logger: Logger;
  /** Select Model… (model/select-model.ts): asked for when no model is configured, then the rewrite continues. */
  selectModel(): Promise<unknown>;
  /** The manifest's keybindings, for the key hints in the preview. */
  keybindings?: readonly ManifestKeybinding[];
  /** Who scores best-of-N candidates (cptWriter.bestOf above 1). */
  judge: JudgeService;
}

export interface RunOptions {
  /** A one-off instruction for this rewrite ("keep it under 50 words"). */
  note?: string;
}

/** The writer's keyboard platform, when the extension host runs on the same machine as the window. */
function keyPlatform(): KeyPlatform {
  if (vscode.env.uiKind !== vscode.UIKind.Desktop || vscode.env.remoteName) return undefined;
  return process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'windows' : 'linux';
}

export class RewriteController implements vscode.Disposable {
  private session: Session | undefined;
  private readonly decorations = new PreviewDecorations();
  private readonly lens = new PreviewCodeLens();
  private readonly thread = new PreviewThread();
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
  private readonly platform = keyPlatform();

  constructor(private readonly deps: RewriteControllerDeps) {
    this.disposables.push(
      this.decorations,
      this.lens,
      this.thread,
      // '*' matches every document (files, untitled, remote), which is where a rewrite can be.
      vscode.languages.registerCodeLensProvider('*', this.lens),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.session?.doc === doc)
          this.end(this.session, { outcome: 'cancelled', message: vscode.l10n.t('The document was closed.') });
      }),
    );
    void this.keys.set(IDLE_KEYS, undefined, true);
  }

  snapshot(): RewriteSnapshot {
    const s = this.session;
    if (!s) return { phase: 'idle' };
    const p = s.proposal;
    return {
      phase: s.phase,
      rubricId: s.style.rubric.id,
      rubricTitle: s.style.rubric.title,
      level: s.style.level,
      levelName: levelName(s.style.rubric, s.style.level),
      original: s.original,
      proposal: p ? p.text : s.streamed,
      documentUri: s.doc.uri.toString(),
      start: s.start,
      end: s.end,
      ...(s.note ? { note: s.note } : {}),
      ...(p ? { parts: p.parts.length, markupLost: [...p.markupLost] } : s.progress ? { parts: s.progress.count } : {}),
      ...(s.candidate ? { candidate: s.candidate } : {}),
    };
  }

  history(): readonly HistoryEntry[] {
    return this.recent;
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
      this.streamEmitter.fire({ type: 'error', id: this.deps.feedback.newId(), message });
      return { outcome: 'busy', message };
    }
    const doc = editor.document;
    const target = this.targetOf(editor);
    if (!target) {
      const message = vscode.l10n.t('CPT Writer: select the text to rewrite, or put the cursor in a paragraph.');
      this.deps.notifier.info(message);
      this.streamEmitter.fire({ type: 'error', id: this.deps.feedback.newId(), message });
      return { outcome: 'no-selection', message };
    }
    if (editor.selections.length > 1) {
      // Rewriting several ranges at once would need several previews and a multi-range undo; one at a time keeps both simple.
      this.deps.notifier.info(
        vscode.l10n.t(
          'CPT Writer rewrites one selection at a time: only the primary selection (line {0}) is being rewritten.',
          editor.selection.start.line + 1,
        ),
      );
    }
    const text = doc.getText();
    const note = options.note?.trim() || undefined;
    const session = new Session(doc, target.start, target.end, text.slice(target.start, target.end), style, note, {
      before: text.slice(0, target.start),
      after: text.slice(target.end),
    });
    this.session = session;
    session.tracking = vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(session, e));
    this.setPhase(session, 'preparing');

    if (!readConfig().model) {
      this.deps.notifier.info(vscode.l10n.t('CPT Writer needs a model first: choose one, and the rewrite continues.'));
      await this.deps.selectModel();
      if (session.ended) return this.endedResult(session);
      if (!readConfig().model) {
        const message = vscode.l10n.t('No model selected, so nothing was rewritten.');
        this.end(session, { outcome: 'error', message });
        return { outcome: 'no-model', message };
      }
    }
    return this.generate(session, false);
  }

  /** The selection's offsets, or with nothing (or only whitespace) selected the paragraph at the cursor. */
  private targetOf(editor: vscode.TextEditor): { start: number; end: number } | undefined {
    const doc = editor.document;
    const selection = editor.selection;
    if (!selection.isEmpty && doc.getText(selection).trim() !== '') {
      return { start: doc.offsetAt(selection.start), end: doc.offsetAt(selection.end) };
    }
    const paragraph = paragraphAt(doc.getText(), doc.offsetAt(selection.active), doc.languageId);
    if (!paragraph || doc.getText().slice(paragraph.start, paragraph.end).trim() === '') return undefined;
    return paragraph;
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
      const message = status.state === 'error' ? status.message : vscode.l10n.t('The model is not loaded.');
      this.end(session, { outcome: 'error', message });
      return { outcome: 'error', message };
    }
    const cfg = readConfig();
    const { rubric, level } = session.style;
    const generation = ++session.generation;
    const ids = [this.deps.feedback.newId()];
    const startedAt = new Date().toISOString();
    session.rewriteId = ids[0];
    session.done = false;
    session.streamed = '';
    session.proposals = [];
    session.index = 0;
    session.progress = undefined;
    session.activity = undefined;
    session.target = undefined;
    session.abort = new AbortController();
    this.streamEmitter.fire({
      type: 'started',
      id: ids[0],
      rubricId: rubric.id,
      level,
      original: session.original,
      ...(session.note ? { note: session.note } : {}),
    });
    this.setPhase(session, 'streaming');
    this.deps.logger.info(
      `rewrite: ${rubric.id} level ${level}, ${session.original.length} chars from ${session.doc.uri.toString()}${session.note ? ' (with a note)' : ''}`,
    );
    const contextSize = await ready.engine.info().then(
      (i) => i.contextSize,
      () => undefined,
    );
    if (session.ended || session.generation !== generation) return this.endedResult(session);

    const live = () => session.generation === generation && !session.ended && session.phase === 'streaming';
    const printer = createPartsPrinter(session.original);
    const emit = (piece: string) => {
      if (!piece || !live()) return;
      session.streamed += piece;
      this.streamEmitter.fire({ type: 'token', id: ids[0], text: piece });
      this.scheduleRender(session);
    };
    const job: PartsJob = {
      text: session.original,
      style: session.style,
      source: { languageId: session.doc.languageId, path: documentPath(session.doc) },
      promptMode: cfg.promptMode,
      model: ready.model,
      sampling: { temperature: cfg.temperature, maxTokens: cfg.maxTokens },
      fresh: regenerate,
      ...(session.note ? { note: session.note } : {}),
      surrounding: session.surrounding,
      contextTokens: cfg.contextMaxTokens,
      ...(contextSize ? { contextSize } : {}),
      signal: session.abort.signal,
    };
    const bestOf = readJudgeConfig().bestOf;
    if (bestOf > 1) {
      const plan = await planRewrite(job);
      if (session.ended || session.generation !== generation) return this.endedResult(session);
      if (plan.length === 1)
        return this.generateBestOf(session, ready.engine, job, bestOf, ids[0], startedAt, generation);
      this.deps.logger.info(
        `best-of-${bestOf}: the text needs ${plan.length} parts, so it is rewritten once, in parts`,
      );
    }
    let outcome: PartsOutcome;
    try {
      outcome = await rewriteInParts(ready.engine, {
        ...job,
        onPart: (event) => {
          if (!live()) return;
          if (event.phase === 'start') {
            ids[event.index] ??= this.deps.feedback.newId();
            session.progress = event.count > 1 ? { index: event.index, count: event.count } : undefined;
            if (event.count > 1)
              this.deps.logger.info(
                `rewrite: part ${event.index + 1} of ${event.count} (${event.range.end - event.range.start} chars)`,
              );
          }
          emit(printer.part(event));
          this.scheduleRender(session);
        },
        onToken: (piece) => emit(printer.token(piece)),
      });
    } catch (err) {
      if (session.ended || session.generation !== generation) return this.endedResult(session);
      return this.failed(session, err);
    }
    if (session.ended || session.generation !== generation) return this.endedResult(session);
    if (outcome.status === 'cancelled') return this.cancelled(session);
    const result = outcome.result;
    this.deps.logger.info(
      `rewrite done (${outcome.parts.length} part${outcome.parts.length === 1 ? '' : 's'}): ${result.outputTokens} tokens, ${result.promptTokens} prompt tokens (${result.reusedPromptTokens} reused${result.restoredPromptTokens ? `, ${result.restoredPromptTokens} restored from the prompt cache` : ''}), first token ${Math.round(result.timeToFirstTokenMs)} ms, ${result.tokensPerSecond.toFixed(1)} tok/s, ${result.stopReason}`,
    );
    if (outcome.status === 'empty')
      return this.nothingToPreview(
        session,
        vscode.l10n.t(
          'CPT Writer: the model returned no text, so there is nothing to preview. Your text is unchanged.',
        ),
      );
    // What follows the last part (trailing whitespace of the selection): the streamed text is now the proposal.
    emit(printer.finish());
    const proposal = toProposal(outcome, ids, session.original, cfg.maxTokens);
    if (proposal.markupLost.length)
      this.deps.logger.warn(`rewrite: the proposal lost markup: ${proposal.markupLost.join('; ')}`);
    for (const part of proposal.parts) {
      if (part.rewriteId && part.record) void this.deps.feedback.recordRewrite(part.rewriteId, part.record);
    }
    session.progress = undefined;
    return this.showProposals(session, [proposal], startedAt, result);
  }

  /**
   * Best-of-N for a text that fits one part: each candidate streams into the preview in turn, then all
   * are judged; the preview shows them nearest the level's target first. One rewrite event is logged
   * with every candidate in it; the writer's decision names the candidate it was about.
   */
  private async generateBestOf(
    session: Session,
    engine: TextGenerator,
    job: PartsJob,
    n: number,
    id: string,
    startedAt: string,
    generation: number,
  ): Promise<RewriteRunResult> {
    const { rubric, level } = session.style;
    const live = () => session.generation === generation && !session.ended && session.phase === 'streaming';
    let outcome: BestOfOutcome;
    try {
      const judge = await this.deps.judge.generator(engine);
      if (session.ended || session.generation !== generation) return this.endedResult(session);
      if (!judge) throw new Error('no model to judge the candidates with');
      const languageId = job.source?.languageId;
      const maxTokens = job.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
      const context = await contextAround(session.surrounding.before, session.surrounding.after, {
        languageId,
        maxTokens,
      });
      const {
        surrounding: _s,
        contextTokens: _c,
        contextSize: _z,
        countTokens: _t,
        onPart: _p,
        onToken: _o,
        fresh: _f,
        ...base
      } = job;
      let cleaner: OutputCleaner | undefined;
      outcome = await runBestOf(engine, {
        ...base,
        ...(context.before || context.after ? { context } : {}),
        n,
        judge: { generator: judge },
        onToken: (piece) => {
          const text = cleaner?.push(piece) ?? '';
          if (!text || !live()) return;
          session.streamed += text;
          this.streamEmitter.fire({ type: 'token', id, text });
          this.scheduleRender(session);
        },
        onCandidate: (e) => {
          if (!live()) return;
          if (e.phase === 'writing') {
            // Each candidate streams into the preview from the start, as a rewrite of its own.
            cleaner = createOutputCleaner(session.original);
            session.streamed = '';
            if (e.index > 0)
              this.streamEmitter.fire({
                type: 'started',
                id,
                rubricId: rubric.id,
                level,
                original: session.original,
                ...(session.note ? { note: session.note } : {}),
              });
            session.activity = vscode.l10n.t('candidate {0} of {1}', e.index + 1, e.count);
          } else if (e.phase === 'written') {
            if (e.index === e.count - 1) session.activity = vscode.l10n.t('judging {0} candidates', e.count);
          } else {
            this.deps.logger.info(`best-of-${n}: candidate ${e.index + 1} judged ${e.score}`);
          }
          this.render(session);
        },
      });
    } catch (err) {
      if (session.ended || session.generation !== generation) return this.endedResult(session);
      return this.failed(session, err);
    }
    if (session.ended || session.generation !== generation) return this.endedResult(session);
    if (outcome.status === 'cancelled') return this.cancelled(session);
    const result = outcome.result;
    this.deps.logger.info(
      `rewrite done (best of ${n}): ${result.outputTokens} tokens, ${result.promptTokens} prompt tokens (${result.reusedPromptTokens} reused), ${Math.round(result.totalMs)} ms writing`,
    );
    if (outcome.status === 'empty')
      return this.nothingToPreview(
        session,
        vscode.l10n.t(
          'CPT Writer: the model returned no text for any candidate, so there is nothing to preview. Your text is unchanged.',
        ),
      );
    const maxTokens = job.sampling?.maxTokens ?? readConfig().maxTokens;
    const proposals: Proposal[] = outcome.candidates.map((c, index) => ({
      id,
      text: c.text,
      parts: [
        { rewriteId: id, record: outcome.record, range: { start: 0, end: c.text.length }, original: session.original },
      ],
      markupLost: c.markupLost,
      ...(c.outcome.result.stopReason === 'maxTokens'
        ? {
            cutOff: vscode.l10n.t(
              'Cut off at {0} tokens (the cptWriter.maxTokens setting): the proposal may be incomplete.',
              maxTokens,
            ),
          }
        : {}),
      diff: wordDiff(session.original, c.text),
      result: c.outcome.result,
      candidate: { index, score: c.score, critique: c.critique },
    }));
    this.deps.logger.info(
      `best-of-${n}: scores ${outcome.candidates.map((c) => c.score).join(', ')} against target ${outcome.target}`,
    );
    void this.deps.feedback.recordRewrite(id, outcome.record);
    session.target = outcome.target;
    session.activity = undefined;
    const shown = this.showProposals(session, proposals, startedAt, result);
    this.fireCandidate(session);
    return shown;
  }

  private cancelled(session: Session): RewriteRunResult {
    this.end(session, { outcome: 'cancelled' });
    return { outcome: 'cancelled' };
  }

  private nothingToPreview(session: Session, message: string): RewriteRunResult {
    this.end(session, { outcome: 'empty', message });
    this.deps.notifier.warn(message);
    return { outcome: 'empty', message };
  }

  /** The finished generation becomes the preview: the first proposal shown, the others a step away. */
  private showProposals(
    session: Session,
    proposals: Proposal[],
    startedAt: string,
    result: GenerateResult,
  ): RewriteRunResult {
    const { rubric, level } = session.style;
    session.proposals = proposals;
    session.index = 0;
    const first = proposals[0];
    this.pushHistory({
      id: first.id,
      time: startedAt,
      rubricId: rubric.id,
      level,
      original: session.original,
      output: first.text,
      decision: 'pending',
    });
    session.done = true;
    this.setPhase(session, 'preview');
    this.streamEmitter.fire({
      type: 'done',
      id: first.id,
      text: first.text,
      stats: {
        promptTokens: result.promptTokens,
        reusedPromptTokens: result.reusedPromptTokens,
        outputTokens: result.outputTokens,
        timeToFirstTokenMs: result.timeToFirstTokenMs,
        tokensPerSecond: result.tokensPerSecond,
        totalMs: result.totalMs,
        ...(result.restoredPromptTokens ? { restoredPromptTokens: result.restoredPromptTokens } : {}),
      },
      markupLost: [...first.markupLost],
      ...(first.cutOff ? { cutOff: first.cutOff } : {}),
    });
    return {
      outcome: 'preview',
      proposal: first.text,
      rewriteId: first.id,
      rewriteIds: first.parts.flatMap((p) => (p.rewriteId ? [p.rewriteId] : [])),
      markupLost: [...first.markupLost],
    };
  }

  /** Best-of-N: tells the sidebar which candidate the preview shows. */
  private fireCandidate(s: Session): void {
    const c = s.candidate;
    const p = s.proposal;
    if (c && p)
      this.streamEmitter.fire({
        type: 'candidate',
        id: p.id,
        text: p.text,
        ...c,
        markupLost: [...p.markupLost],
        ...(p.cutOff ? { cutOff: p.cutOff } : {}),
      });
  }

  /**
   * Best-of-N: shows the next (`step` 1) or previous (-1) candidate, wrapping around. Nothing is
   * recorded: only Accept or Reject decide. False when there is no preview with candidates to step to.
   */
  stepCandidate(step: number, target?: unknown): boolean {
    const s = this.session;
    if (!s || s.phase !== 'preview' || s.proposals.length < 2 || s.confirming || !this.isFor(s, target)) return false;
    const count = s.proposals.length;
    s.index = (((s.index + Math.sign(step)) % count) + count) % count;
    this.render(s);
    this.fireCandidate(s);
    return true;
  }

  private failed(session: Session, err: unknown): RewriteRunResult {
    const crashed = engineErrorCode(err) === 'ENGINE_CRASHED';
    const message = vscode.l10n.t(
      'CPT Writer could not rewrite the text: {0}. Your text is unchanged.',
      errorMessage(err),
    );
    this.deps.logger.error(message);
    this.end(session, { outcome: 'error', message });
    if (!crashed) this.deps.notifier.error(message); // a crash is already reported by the model service
    return { outcome: 'error', message };
  }

  /** The document, target range and finished proposal while a preview is shown (for Compare). */
  previewTarget(target?: unknown): { doc: vscode.TextDocument; range: vscode.Range; proposal: string } | undefined {
    const s = this.session;
    const p = s?.proposal;
    if (!s || !p || !this.isFor(s, target)) return undefined;
    return { doc: s.doc, range: s.range, proposal: p.text };
  }

  /**
   * Whether an action's argument names the open rewrite: nothing (a key scoped to its document, the
   * palette, the sidebar after its own check), the preview's id (a CodeLens or a link in the preview
   * zone), its comment thread (the zone's title bar) or its document's URI. Anything else, such as the id
   * of a preview since regenerated, names another preview, and the action does nothing.
   */
  private isFor(s: Session, target: unknown): boolean {
    if (target === undefined || target === null) return true;
    if (typeof target === 'string') return target === (s.proposal?.id ?? s.rewriteId);
    if (target instanceof vscode.Uri) return target.toString() === s.doc.uri.toString();
    if (PreviewThread.isThread(target)) return this.thread.owns(target);
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

  /**
   * Accept: writes the proposal as one edit with undo stops on both sides, so a single undo restores the
   * original. Writes nothing when the target changed since the preview was made (a conflict). A proposal
   * that lost markup is written only after the writer confirms it in a modal question.
   */
  async accept(target?: unknown): Promise<RewriteRunResult> {
    const s = this.session;
    const p = s?.proposal;
    if (!s || !p) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite preview to accept.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Accept'), target);
    if (p.markupLost.length) {
      const ACCEPT_ANYWAY = vscode.l10n.t('Accept Anyway');
      if (s.confirming) return { outcome: 'cancelled', message: vscode.l10n.t('Already asking whether to accept.') };
      s.confirming = true;
      let answer: string | undefined;
      try {
        answer = await this.deps.notifier.ask(
          'warning',
          vscode.l10n.t('The proposal lost markup from your text. Accept it anyway?'),
          `${p.markupLost.join('\n')}\n\n${vscode.l10n.t('Accepting replaces your text with the proposal as it is; one undo brings the original back.')}`,
          ACCEPT_ANYWAY,
        );
      } finally {
        s.confirming = false;
      }
      if (answer !== ACCEPT_ANYWAY)
        return { outcome: 'cancelled', message: vscode.l10n.t('Not accepted: the preview stays open.') };
      if (this.session !== s || s.proposal !== p)
        return {
          outcome: 'cancelled',
          message: vscode.l10n.t('The preview changed while you were asked, so nothing was accepted.'),
        };
    }
    const range = s.range;
    if (s.doc.getText(range) !== s.original) {
      this.conflict(s);
      return this.endedResult(s);
    }
    const editor =
      vscode.window.visibleTextEditors.find((e) => e.document === s.doc) ??
      (await vscode.window.showTextDocument(s.doc, { preserveFocus: false }));
    // Our own edit must not be taken for the writer's: stop watching before applying it.
    s.tracking?.dispose();
    s.tracking = undefined;
    const written = inDocumentEol(p, s.doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
    this.end(s, { outcome: 'accepted', proposal: written.text, rewriteId: p.id, parts: written.parts });
    let applied = false;
    try {
      applied = await editor.edit((b) => b.replace(range, written.text), { undoStopBefore: true, undoStopAfter: true });
    } catch (err) {
      this.deps.logger.error(`applying the rewrite failed: ${errorMessage(err)}`);
    }
    if (!applied) {
      const message = vscode.l10n.t(
        'CPT Writer could not apply the rewrite (the editor refused the edit). Your text is unchanged.',
      );
      this.deps.notifier.error(message, copyAction(p.text));
      return { outcome: 'error', message };
    }
    this.recordDecision(p, 'accepted');
    return { outcome: 'accepted' };
  }

  /** Reject a preview (recorded as rejected); during generation it is the same as cancel. */
  reject(target?: unknown): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite to reject.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Reject'), target);
    const p = s.proposal;
    if (!p) return this.cancel();
    this.recordDecision(p, 'rejected');
    this.end(s, { outcome: 'rejected', proposal: p.text, rewriteId: p.id });
    return { outcome: 'rejected' };
  }

  /** Stops generating, or closes a preview without recording a decision. The document is not touched. */
  cancel(target?: unknown): RewriteRunResult {
    const s = this.session;
    if (!s) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite to cancel.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Cancel'), target);
    this.end(s, { outcome: 'cancelled' });
    return { outcome: 'cancelled' };
  }

  /** Records the current proposal as rejected, then makes a new one for the same text and style. */
  async regenerate(target?: unknown): Promise<RewriteRunResult> {
    const s = this.session;
    const p = s?.proposal;
    if (!s || !p) return { outcome: 'cancelled', message: vscode.l10n.t('No rewrite preview to regenerate.') };
    if (!this.isFor(s, target)) return this.notForThis(vscode.l10n.t('Regenerate'), target);
    this.recordDecision(p, 'rejected');
    s.proposals = [];
    s.streamed = '';
    s.progress = undefined;
    s.activity = undefined;
    s.rewriteId = undefined;
    s.done = false;
    this.setPhase(s, 'preparing');
    return this.generate(s, true);
  }

  /**
   * One decision per part with a logged rewrite, each with that part's text as the model wrote it; for a
   * best-of-N candidate, the candidate's text and its place among the logged candidates.
   */
  private recordDecision(p: Proposal, decision: 'accepted' | 'rejected'): void {
    for (const part of p.parts) {
      if (!part.rewriteId || !part.record) continue;
      if (p.candidate) void this.deps.feedback.recordDecision(part.rewriteId, decision, p.text, p.candidate.index);
      else void this.deps.feedback.recordDecision(part.rewriteId, decision, part.record.output);
    }
    this.markHistory(p.id, decision, decision === 'accepted' ? p.text : undefined);
  }

  private documentChanged(s: Session, e: vscode.TextDocumentChangeEvent): void {
    if (e.document !== s.doc || s.ended || e.contentChanges.length === 0) return;
    const changes: TextChange[] = e.contentChanges.map((c) => ({
      offset: c.rangeOffset,
      length: c.rangeLength,
      text: c.text,
    }));
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
    const proposal = s.proposal?.text ?? s.streamed;
    const message = vscode.l10n.t(
      'CPT Writer: the text changed while it was being rewritten, so nothing was replaced and your edits are kept.',
    );
    this.deps.logger.warn(message);
    this.end(s, {
      outcome: 'conflict',
      message,
      proposal: proposal || undefined,
      rewriteId: s.proposal?.id ?? s.rewriteId,
    });
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
      this.streamEmitter.fire(
        ended.outcome === 'error'
          ? { type: 'error', id: s.rewriteId, message: ended.message ?? vscode.l10n.t('The rewrite failed.') }
          : { type: 'cancelled', id: s.rewriteId },
      );
    } else if (!s.rewriteId && ended.outcome === 'error') {
      this.streamEmitter.fire({
        type: 'error',
        id: this.deps.feedback.newId(),
        message: ended.message ?? vscode.l10n.t('The rewrite failed.'),
      });
    }
    if (this.session === s) {
      this.session = undefined;
      this.decorations.clear();
      this.lens.set(undefined);
      this.thread.clear();
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
    const p = s.proposal;
    const at = (offset: number) => s.doc.positionAt(s.start + offset);
    const removed = p?.diff?.removed.map((r) => new vscode.Range(at(r.start), at(r.end))) ?? [];
    this.decorations.show(s.doc, range, removed);
    const actions = previewActions(
      {
        phase: s.phase,
        previewId: p?.id ?? s.rewriteId,
        keybindings: this.deps.keybindings ?? [],
        platform: this.platform,
        candidates: s.proposals.length,
      },
      vscode.l10n.t,
    );
    const progress = s.progress ? vscode.l10n.t('part {0} of {1}', s.progress.index + 1, s.progress.count) : s.activity;
    const c = s.candidate;
    const heading = p
      ? [
          `$(sparkle) ${s.label}`,
          ...(c
            ? [
                vscode.l10n.t('{0} → target {1}', c.score, c.target),
                vscode.l10n.t('candidate {0} of {1}', c.index + 1, c.count),
              ]
            : []),
          ...(p.parts.length > 1 ? [vscode.l10n.t('{0} parts', p.parts.length)] : []),
          ...(p.markupLost.length ? [vscode.l10n.t('lost markup')] : []),
          ...(p.cutOff ? [vscode.l10n.t('cut off')] : []),
        ].join(' · ')
      : `$(sync~spin) ${
          s.phase === 'preparing'
            ? progress
              ? vscode.l10n.t('Preparing: {0} ({1})', s.label, progress)
              : vscode.l10n.t('Preparing: {0}', s.label)
            : progress
              ? vscode.l10n.t('Rewriting: {0} ({1})', s.label, progress)
              : vscode.l10n.t('Rewriting: {0}', s.label)
        }`;
    this.lens.set({ doc: s.doc, range, heading, actions });
    this.thread.show(s.doc, range, {
      styleLabel: s.label,
      status: p ? vscode.l10n.t('proposal') : vscode.l10n.t('rewriting…'),
      phase: s.phase,
      text: p ? p.text : s.streamed,
      added: p?.diff?.added,
      progress,
      note: s.note,
      markupLost: p?.markupLost ?? [],
      cutOff: p?.cutOff,
      ...(c ? { candidate: c } : {}),
      actions,
    });
    this.reveal(s);
    this.changed.fire(this.snapshot());
  }

  /**
   * Once per rewrite: when the text ends in the lower part of the editor, scroll it to the top so the
   * preview zone below it is on screen.
   */
  private reveal(s: Session): void {
    if (s.revealed) return;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === s.doc);
    const visible = editor?.visibleRanges ?? [];
    if (!editor || !visible.length) return;
    s.revealed = true;
    const first = visible[0].start.line;
    const last = visible[visible.length - 1].end.line;
    const range = s.range;
    const endLine =
      range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    if (endLine >= first && last - endLine >= Math.max(3, (last - first) / 2)) return;
    const top = Math.max(0, range.start.line - 1);
    editor.revealRange(new vscode.Range(top, 0, top, 0), vscode.TextEditorRevealType.AtTop);
  }

  /** The when-clause context keys in step with the session. */
  private updateContext(): Promise<void> {
    const s = this.session;
    return this.keys.set(
      { streaming: !!s && s.phase !== 'preview', previewVisible: s?.phase === 'preview', rewriteActive: !!s },
      s?.doc.uri,
    );
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

/** The finished proposal of a rewriteInParts run, with the preview's ids and the word marks. */
function toProposal(
  outcome: Extract<PartsOutcome, { status: 'done' }>,
  ids: string[],
  original: string,
  maxTokens: number,
): Proposal {
  let record = 0;
  const parts: ProposalPart[] = outcome.parts.map((part, index) => {
    const done = part.outcome.status === 'done';
    return {
      ...(done ? { rewriteId: ids[index], record: outcome.records[record++] } : {}),
      range: part.proposalRange ?? { start: 0, end: 0 },
      original: original.slice(part.range.start, part.range.end),
    };
  });
  const cut = outcome.parts.filter((p) => p.outcome.result.stopReason === 'maxTokens').length;
  const cutOff =
    cut === 0
      ? undefined
      : outcome.parts.length === 1
        ? vscode.l10n.t(
            'Cut off at {0} tokens (the cptWriter.maxTokens setting): the proposal may be incomplete.',
            maxTokens,
          )
        : vscode.l10n.t(
            '{0} of {1} parts were cut off at {2} tokens (the cptWriter.maxTokens setting).',
            cut,
            outcome.parts.length,
            maxTokens,
          );
  return {
    id: ids[0],
    text: outcome.text,
    parts,
    markupLost: outcome.markupLost,
    ...(cutOff ? { cutOff } : {}),
    diff: wordDiff(original, outcome.text),
    result: outcome.result,
  };
}

/**
 * The proposal's text with every line break in the document's own form, and where each part with a
 * logged rewrite landed in it, so what is written (and followed by the edit tracker) is exactly what
 * the document will hold.
 */
function inDocumentEol(p: Proposal, eol: '\n' | '\r\n'): { text: string; parts: AcceptedPart[] } {
  const convert = (t: string) => t.replace(/\r?\n/g, eol);
  let text = '';
  let from = 0;
  const parts: AcceptedPart[] = [];
  for (const part of p.parts) {
    text += convert(p.text.slice(from, part.range.start));
    const start = text.length;
    text += convert(p.text.slice(part.range.start, part.range.end));
    if (part.rewriteId)
      parts.push({
        rewriteId: part.rewriteId,
        ...(p.candidate ? { candidate: p.candidate.index } : {}),
        start,
        end: text.length,
        original: part.original,
      });
    from = part.range.end;
  }
  text += convert(p.text.slice(from));
  return { text, parts };
}

function copyAction(proposal: string) {
  return { title: vscode.l10n.t('Copy Proposal'), run: () => vscode.env.clipboard.writeText(proposal) };
}

function documentPath(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri, true) : doc.uri.toString();
}
