// What the sidebar needs from the rest of the extension. sidebar/adapter.ts builds one
// object implementing this from its services and passes it to registerSidebar(); the sidebar never
// reaches into the services itself, so it can be driven by a fake in tests. Every action is a typed
// call that answers with its result (never a command run by its id).
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { PromptMode } from '../../core/prompts/types';
import type { Rubric, RubricProblem } from '../../core/rubrics/types';
import type { HistoryEntry, ModelStatusView, RewriteView, StyleCheckView, StyleChoice } from '../../shared/protocol';
import type { Level } from '../../core/rubrics/types';
import type { RewriteRunResult } from '../preview/rewrite-controller';

export interface SidebarDeps {
  /** Where the sidebar reports ignored (unknown or malformed) webview messages and its own failures. */
  readonly logger: Logger;

  // Rubrics: every loaded rubric (built-in, workspace .cpt-writer/rubrics, cptWriter.rubricDirectories)
  // and the problems of files that failed to load. The extension watches the files and fires
  // onDidChangeRubrics after each reload.
  getRubrics(): readonly Rubric[];
  getRubricProblems(): readonly RubricProblem[];
  readonly onDidChangeRubrics: vscode.Event<void>;

  // The current style. setStyle() is what the slider and the picker call; the extension stores it,
  // updates its status bar item, prewarms the engine for it, and fires onDidChangeStyle (also when
  // the style is changed elsewhere, e.g. by cptWriter.selectStyle).
  getStyle(): StyleChoice;
  setStyle(style: StyleChoice): void | Promise<void>;
  readonly onDidChangeStyle: vscode.Event<StyleChoice>;

  /**
   * The prompt mode the next rewrite will use ('auto' resolved against the loaded model). Re-read on every
   * model/style/rubric change.
   */
  getPromptMode(): PromptMode;

  getModelStatus(): ModelStatusView;
  readonly onDidChangeModelStatus: vscode.Event<ModelStatusView>;

  /**
   * Rewrites the active editor's selection (or the paragraph at its cursor) with the current style and
   * the writer's one-off `note`, if any (what cptWriter.rewriteSelectionWithCurrentStyle runs), and
   * resolves with the run's result: 'preview' once
   * the proposal is complete, or how it ended without one (undefined when the writer backed out of a
   * style pick). Progress shows through getRewriteView / onDidChangeRewriteView, which follow rewrites
   * started from anywhere (palette, keybinding, sidebar); a failure to start (no editor, empty selection,
   * no model) is an 'error' view as well.
   */
  startRewrite(note?: string): Promise<RewriteRunResult | undefined>;
  /** Cancels the rewrite that is streaming, if any (its view then turns 'cancelled'). */
  cancelRewrite(): void;
  /**
   * Accepts the preview `previewId` (any open one when omitted): one edit that one undo reverts (what
   * cptWriter.acceptRewrite runs); does nothing when that preview is no longer open.
   */
  acceptRewrite(previewId?: string): Promise<RewriteRunResult>;
  /** Rejects the preview `previewId`, recorded as rejected (what cptWriter.rejectRewrite runs). */
  rejectRewrite(previewId?: string): RewriteRunResult | Promise<RewriteRunResult>;
  /**
   * Best-of-N: shows the next (1) or previous (-1) candidate in the preview (what cptWriter.nextCandidate /
   * previousCandidate run).
   */
  stepCandidate(step: 1 | -1): boolean;
  /**
   * The latest rewrite as the preview's own session state shows it (preview/rewrite-view.ts), kept after it
   * ends; onDidChangeRewriteView fires on every change (each token while it streams).
   */
  getRewriteView(): RewriteView | undefined;
  readonly onDidChangeRewriteView: vscode.Event<RewriteView>;

  /** Select Model…; true once the chosen model is ready. */
  selectModel(): Promise<boolean>;

  /** Rewrites made in this window, newest first, with the writer's decision so far. */
  getHistory(): readonly HistoryEntry[];
  readonly onDidChangeHistory: vscode.Event<void>;

  // The style check of the document the writer is in (the active text editor's; while none is active, the
  // last one's), for the histogram; onDidChangeStyleCheck fires when a check is shown or cleared, or another
  // document becomes the one.
  getStyleCheck(): StyleCheckView | undefined;
  readonly onDidChangeStyleCheck: vscode.Event<void>;
  /** A histogram bar's click: the next paragraph of that document at `level`, revealed; its 0-based line. */
  revealLevel(level: Level): Promise<number | undefined>;

  /** Creates a rubric template in the workspace's .cpt-writer/rubrics/ and opens it (rubrics/new-rubric.ts). */
  newRubric(): Promise<unknown>;
}
