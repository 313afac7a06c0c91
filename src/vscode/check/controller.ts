// The style check in the editor: runs a check of a document (or a selection) with a cancellable progress
// notification, shows the result (presenter.ts), re-checks in the background after an edit (the cache makes
// that cost only the changed paragraphs) and on save when cptWriter.styleCheck.onSave is on. Cancelling
// keeps what was scored. The document's text is only read, never changed.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CheckCache, checkDocument, nextAtLevel, type CheckReport, type CheckTarget } from '../../core/check';
import type { Logger } from '../../core/log';
import type { Level, Rubric } from '../../core/rubrics';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import type { JudgeService } from '../judge/judge-service';
import type { RewriteActions } from '../preview/rewrite-actions';
import type { RubricService } from '../rubrics/rubric-service';
import type { CurrentStyle } from '../style/current-style';
import { isLevel } from '../style/current-style';
import { chooseCheck, type CheckArgs } from './choices';
import { registerStyleCheckCodeActions } from './code-actions';
import { judgeIdentity, judgeSpec, readyJudge } from './judge-source';
import { StyleCheckPresenter } from './presenter';
import { toStyleCheckView } from './labels';
import type { StyleCheckView } from '../../shared/protocol';
import { rewriteRangeToLevel } from './rewrite-adapter';

export interface StyleCheckDeps {
  judge: JudgeService;
  rubrics: RubricService;
  style: CurrentStyle;
  notifier: Notifier;
  logger: Logger;
  /** Where judgements persist between sessions (the extension's storage). */
  storageDir: string;
}

export type CheckTrigger = 'command' | 'edit' | 'save';

export interface CheckEvent {
  uri: vscode.Uri;
  report: CheckReport;
  trigger: CheckTrigger;
}

interface DocState {
  rubric: Rubric;
  target: CheckTarget;
  /** A selection check: the offsets checked, moved along with edits. */
  range?: { start: number; end: number };
  timer?: NodeJS.Timeout;
  running?: AbortController;
}

/** Quiet time after the last keystroke before the edited paragraphs are re-scored. */
const EDIT_DELAY_MS = 1000;

export class StyleCheckController implements vscode.Disposable {
  readonly presenter = new StyleCheckPresenter();
  readonly cache: CheckCache;
  private readonly states = new Map<string, DocState>();
  private readonly checked = new vscode.EventEmitter<CheckEvent>();
  /** Fires after every finished (or cancelled) check with what it found. */
  readonly onDidCheck = this.checked.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly deps: StyleCheckDeps) {
    this.cache = new CheckCache(path.join(deps.storageDir, 'style-check'));
    this.subs = [
      registerStyleCheckCodeActions(this.presenter),
      vscode.workspace.onDidChangeTextDocument((e) => this.edited(e)),
      vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    ];
  }

  /** CPT Writer: Check Style of Document. */
  async checkDocumentCommand(args: CheckArgs = {}): Promise<CheckReport | undefined> {
    return this.start(args, false);
  }

  /** CPT Writer: Check Style of Selection (with nothing selected, the paragraph at the cursor). */
  async checkSelectionCommand(args: CheckArgs = {}): Promise<CheckReport | undefined> {
    return this.start(args, true);
  }

  toggleLevels(): boolean {
    return this.presenter.toggleHints();
  }

  /** The quick fix's command: the normal rewrite preview for one paragraph at `level`. */
  async rewriteParagraph(actions: RewriteActions, args: readonly unknown[]): Promise<unknown> {
    const [uri, start, end, rubricId, level] = args;
    if (typeof uri !== 'string' || typeof start !== 'number' || typeof end !== 'number') return undefined;
    if (typeof rubricId !== 'string' || !isLevel(level)) return undefined;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    return rewriteRangeToLevel(actions, editor, range, rubricId, level as Level);
  }

  private async start(args: CheckArgs, selection: boolean): Promise<CheckReport | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      this.deps.notifier.info(vscode.l10n.t('CPT Writer: open a document to check its style first.'));
      return undefined;
    }
    const choice = await chooseCheck(this.deps, args);
    if (!choice) return undefined;
    const doc = editor.document;
    const key = doc.uri.toString();
    this.stop(key);
    const sel = editor.selection;
    this.states.set(key, {
      ...choice,
      ...(selection ? { range: { start: doc.offsetAt(sel.start), end: doc.offsetAt(sel.end) } } : {}),
    });
    return this.run(doc, 'command');
  }

  private async run(doc: vscode.TextDocument, trigger: CheckTrigger): Promise<CheckReport | undefined> {
    const { notifier, logger } = this.deps;
    const key = doc.uri.toString();
    const state = this.states.get(key);
    if (!state) return undefined;
    state.running?.abort();
    const ac = new AbortController();
    state.running = ac;
    const spec = judgeSpec();
    if (!spec) {
      if (trigger === 'command')
        notifier.info(
          vscode.l10n.t('CPT Writer: choose a model first (CPT Writer: Select Model…), then check ' + 'again.'),
        );
      return undefined;
    }
    const version = doc.version;
    const text = doc.getText();
    const { rubric, target } = state;
    let report: CheckReport | undefined;
    try {
      const judgeId = await judgeIdentity(spec);
      report = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('CPT Writer: checking the style ({0})', rubric.title),
          cancellable: true,
        },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            return await checkDocument(text, doc.languageId, {
              rubric,
              target,
              judgeId,
              judge: () => readyJudge(this.deps.judge),
              cache: this.cache,
              ...(state.range ? { range: state.range } : {}),
              signal: ac.signal,
              onProgress: (done, total) =>
                progress.report({
                  increment: 100 / total,
                  message: vscode.l10n.t('{0} of {1} paragraphs', done, total),
                }),
              onCacheError: (err) => logger.warn(`style check: a judgement could not be saved: ${errorMessage(err)}`),
            });
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (err) {
      logger.error(`style check failed: ${errorMessage(err)}`);
      notifier.error(
        vscode.l10n.t('CPT Writer could not check the style: {0}. Your text is unchanged.', errorMessage(err)),
      );
      return undefined;
    } finally {
      if (state.running === ac) state.running = undefined;
    }
    // Edited while it ran: the offsets are stale; the edit's own re-check shows the new state.
    if (doc.isClosed || doc.version !== version) return report;
    this.presenter.show(doc, { report, rubric, version });
    this.tell(report, rubric, trigger);
    logger.info(
      `style check (${trigger}) ${doc.uri.fsPath}: ${rubric.id}, target ${report.target ?? '-'}; ` +
        `${JSON.stringify(report.counts)}; judge ${report.judge}`,
    );
    this.checked.fire({ uri: doc.uri, report, trigger });
    return report;
  }

  /** What the writer is told: problems always; the summary only when they asked for the check. */
  private tell(report: CheckReport, rubric: Rubric, trigger: CheckTrigger): void {
    const { notifier } = this.deps;
    const c = report.counts;
    const failed = report.paragraphs.find((p) => p.status === 'failed');
    if (failed)
      notifier.error(vscode.l10n.t('CPT Writer could not check {0} paragraphs: {1}', c.failed, failed.error ?? ''));
    const long = report.paragraphs.find((p) => p.status === 'too-long');
    if (long)
      notifier.warn(
        vscode.l10n.t(
          'CPT Writer: {0} paragraphs were skipped: too long for the judge in a {1}-token context.',
          c['too-long'],
          long.contextSize ?? 0,
        ),
      );
    if (trigger !== 'command') return;
    if (!report.paragraphs.length) {
      notifier.info(
        vscode.l10n.t(
          'CPT Writer: no prose paragraphs to check (front matter, code, math, tables and headings are left out).',
        ),
      );
      return;
    }
    if (c.cancelled) {
      notifier.info(vscode.l10n.t('CPT Writer: style check cancelled; the {0} paragraphs scored are shown.', c.scored));
      return;
    }
    if (report.target !== undefined && !failed)
      notifier.info(
        vscode.l10n.t(
          'CPT Writer: {0} of {1} paragraphs are off {2} level {3}.',
          c.offTarget,
          report.paragraphs.length,
          rubric.title,
          report.target,
        ),
      );
  }

  private edited(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const state = this.states.get(key);
    if (!state || !e.contentChanges.length) return;
    if (state.range) {
      for (const c of e.contentChanges) {
        const delta = c.text.length - c.rangeLength;
        if (c.rangeOffset + c.rangeLength <= state.range.start) state.range.start += delta;
        if (c.rangeOffset <= state.range.end) state.range.end = Math.max(state.range.start, state.range.end + delta);
      }
    }
    this.stop(key);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.run(e.document, 'edit');
    }, EDIT_DELAY_MS);
  }

  private saved(doc: vscode.TextDocument): void {
    const on = vscode.workspace.getConfiguration('cptWriter', doc).get<boolean>('styleCheck.onSave', false);
    const state = this.states.get(doc.uri.toString());
    if (!on || !state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    void this.run(doc, 'save');
  }

  /** Stops a pending or running check of the document (what it scored stays cached). */
  private stop(key: string): void {
    const state = this.states.get(key);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    state.running?.abort();
  }

  private forget(uri: vscode.Uri): void {
    this.stop(uri.toString());
    this.states.delete(uri.toString());
  }

  /** What the sidebar's histogram shows of the document's check; undefined when it has none. */
  sidebarView(uri: vscode.Uri): StyleCheckView | undefined {
    const shown = this.presenter.get(uri);
    return shown && toStyleCheckView(path.basename(uri.path), shown.report, shown.rubric);
  }

  /**
   * A histogram bar's click: selects the start of the next paragraph of `uri` that reads at `level` after the
   * cursor (wrapping round) and scrolls it into view. Answers its 0-based line, or undefined when no paragraph
   * reads at that level, or the document was edited since its check (the re-check will show the new levels).
   */
  async revealLevel(uri: vscode.Uri, level: Level): Promise<number | undefined> {
    const shown = this.presenter.get(uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!shown || !doc || shown.version !== doc.version) return undefined;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const cursor = visible ? doc.offsetAt(visible.selection.active) : -1;
    const p = nextAtLevel(shown.report.paragraphs, level, cursor);
    if (!p) return undefined;
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: visible?.viewColumn });
    const at = doc.positionAt(p.start);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(
      new vscode.Range(at, doc.positionAt(p.end)),
      vscode.TextEditorRevealType.InCenterIfOutsideViewport,
    );
    return at.line;
  }

  /** The last result shown for a document. */
  shown(uri: vscode.Uri): CheckReport | undefined {
    return this.presenter.get(uri)?.report;
  }

  dispose(): void {
    for (const key of this.states.keys()) this.stop(key);
    for (const s of this.subs) s.dispose();
    this.presenter.dispose();
    this.checked.dispose();
  }
}
