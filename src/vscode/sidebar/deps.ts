// What the sidebar needs from the rest of the extension. sidebar/adapter.ts builds one
// object implementing this from its services and passes it to registerSidebar(); the sidebar never
// reaches into the services itself, so it can be driven by a fake in tests.
import type * as vscode from 'vscode';
import type { Level, Rubric, RubricProblem } from '../../core/rubrics/types';
import type { Logger } from '../../core/log';
import type {
  HistoryEntry, ModelStatus, PromptModeView, RewriteStreamEvent, StyleChoice,
} from '../../shared/protocol';

export type { HistoryEntry, ModelStatus, RewriteStreamEvent, StyleChoice } from '../../shared/protocol';
export type { Decision, RewriteStats } from '../../shared/protocol';

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

  /** The prompt mode the next rewrite will use ('auto' resolved against the loaded model). Re-read on every model/style/rubric change. */
  getPromptMode(): PromptModeView;

  getModelStatus(): ModelStatus;
  readonly onDidChangeModelStatus: vscode.Event<ModelStatus>;

  /**
   * Rewrites the active editor's selection with the current style (the same as
   * cptWriter.rewriteSelectionWithCurrentStyle). Progress is reported only through onDidRewrite,
   * which must fire for rewrites started from anywhere (palette, keybinding, sidebar), so the
   * sidebar follows all of them. Resolves once the rewrite has started or failed to start; a failure
   * to start (no editor, empty selection, no model) is reported as an 'error' event as well.
   */
  startRewrite(): Promise<void>;
  /** Cancels the rewrite that is streaming, if any (it then fires a 'cancelled' event). */
  cancelRewrite(): void;
  readonly onDidRewrite: vscode.Event<RewriteStreamEvent>;

  /** Rewrites made in this window, newest first, with the writer's decision so far. */
  getHistory(): readonly HistoryEntry[];
  readonly onDidChangeHistory: vscode.Event<void>;

  /** Creates a rubric template in the workspace's .cpt-writer/rubrics/ and opens it (rubrics/new-rubric.ts). */
  newRubric(): Promise<void>;
}

/** Re-exported so callers can type a style without importing the protocol. */
export type { Level };
