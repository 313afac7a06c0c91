// The editor side of feedback beyond recording accept/reject: following accepted text through later
// edits, the first-use notice, and what the Open / Clear Feedback Log and Build Preference Pairs
// commands run (the command registry, ../commands.ts, registers them).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { buildPreferencePairs } from './build-pairs-command';
import type { BuildPairsResult } from './build-pairs-command';
import { EditTracker } from './edit-tracker';
import { clearFeedbackLog, isClearArgs, openFeedbackLog } from './log-commands';
import type { ClearLogResult, OpenLogResult } from './log-commands';
import { FEEDBACK_NOTICE_KEY, registerFirstUseNotice } from './first-use-notice';

export { EditTracker, DEFAULT_EDIT_QUIET_MS } from './edit-tracker';
export type { BuildPairsArgs, BuildPairsResult } from './build-pairs-command';
export type { OpenLogResult, ClearLogResult, ClearArgs } from './log-commands';

export interface FeedbackUi extends vscode.Disposable {
  readonly edits: EditTracker;
  /** Pending edit bursts are recorded, then every queued event is written (shutdown, tests). */
  flush(): Promise<void>;
  /** Open Feedback Log. */
  openLog(): Promise<OpenLogResult>;
  /** Clear Feedback Log; `args` may be `{ confirmed: true }` to skip the question. */
  clearLog(args?: unknown): Promise<ClearLogResult>;
  /** Build Preference Pairs from Feedback; `args` (BuildPairsArgs) skip the dialogs. */
  buildPairs(args?: unknown): Promise<BuildPairsResult | undefined>;
  /** Fires after Build Preference Pairs wrote its files. */
  readonly onDidBuildPairs: vscode.Event<BuildPairsResult>;
  /** Forgets that the first-use notice was shown (tests). */
  resetFirstUseNotice(): Thenable<void>;
}

export function registerFeedbackUi(context: vscode.ExtensionContext, services: Services): FeedbackUi {
  const { feedback, notifier, rewrite, logger } = services;
  // Decisions made after Accept go to the log and to the sidebar's history alike, so the two agree.
  const edits = new EditTracker(
    rewrite,
    {
      get enabled() {
        return feedback.enabled;
      },
      recordDecision: (rewriteId, decision, final, candidate) => {
        rewrite.decisions.later(rewriteId, decision, final);
        return feedback.recordDecision(rewriteId, decision, final, candidate);
      },
    },
    logger,
  );
  const settle = () => edits.settleAll('log read');
  const flush = async () => {
    settle();
    await feedback.flush();
  };
  const openLog = () => openFeedbackLog(feedback, notifier, settle);
  const disposables: vscode.Disposable[] = [
    edits,
    registerFirstUseNotice({
      globalState: context.globalState,
      notifier,
      onDidRewrite: rewrite.onDidRewrite,
      feedback,
      openLog,
    }),
  ];
  const pairsBuilt = new vscode.EventEmitter<BuildPairsResult>();
  disposables.push(pairsBuilt);
  return {
    edits,
    flush,
    openLog,
    clearLog: (args) => clearFeedbackLog(feedback, notifier, isClearArgs(args) ? args : undefined, settle),
    buildPairs: async (args) => {
      const built = await buildPreferencePairs({ notifier, currentLog: () => feedback.path, flush }, args);
      if (built) pairsBuilt.fire(built);
      return built;
    },
    onDidBuildPairs: pairsBuilt.event,
    resetFirstUseNotice: () => context.globalState.update(FEEDBACK_NOTICE_KEY, undefined),
    dispose: () => {
      for (const d of disposables) d.dispose();
    },
  };
}
