// The editor side of feedback beyond recording accept/reject: following accepted text through later
// edits, the first-use notice, and the Open / Clear Feedback Log and Build Preference Pairs commands.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { buildPreferencePairs } from './build-pairs-command';
import { EditTracker } from './edit-tracker';
import { clearFeedbackLog, isClearArgs, openFeedbackLog } from './log-commands';
import { FEEDBACK_NOTICE_KEY, registerFirstUseNotice } from './first-use-notice';
import { errorMessage } from '../../core/errors';

export { EditTracker, DEFAULT_EDIT_QUIET_MS } from './edit-tracker';
export type { BuildPairsArgs, BuildPairsResult } from './build-pairs-command';
export type { OpenLogResult, ClearLogResult, ClearArgs } from './log-commands';

export interface FeedbackUi extends vscode.Disposable {
  readonly edits: EditTracker;
  /** Pending edit bursts are recorded, then every queued event is written (shutdown, tests). */
  flush(): Promise<void>;
  /** Forgets that the first-use notice was shown (tests). */
  resetFirstUseNotice(): Thenable<void>;
}

export const FEEDBACK_COMMANDS = ['cptWriter.openFeedbackLog', 'cptWriter.clearFeedbackLog', 'cptWriter.buildPreferencePairs'] as const;

export function registerFeedbackUi(context: vscode.ExtensionContext, services: Services): FeedbackUi {
  const { feedback, notifier, rewrite, logger } = services;
  const edits = new EditTracker(rewrite, feedback, logger);
  const settle = () => edits.settleAll('log read');
  const flush = async () => {
    settle();
    await feedback.flush();
  };
  const guarded = <R>(name: string, fn: (...args: unknown[]) => Promise<R>) => async (...args: unknown[]): Promise<R | undefined> => {
    try {
      return await fn(...args);
    } catch (err) {
      logger.error(`${name} failed: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
      notifier.error(`CPT Writer: ${name} failed: ${errorMessage(err)}`);
      return undefined;
    }
  };
  const disposables: vscode.Disposable[] = [
    edits,
    registerFirstUseNotice({ globalState: context.globalState, notifier, onDidRewrite: rewrite.onDidRewrite, feedback }),
    vscode.commands.registerCommand('cptWriter.openFeedbackLog', guarded('Open Feedback Log', () => openFeedbackLog(feedback, notifier, settle))),
    vscode.commands.registerCommand('cptWriter.clearFeedbackLog', guarded('Clear Feedback Log', (args) => clearFeedbackLog(feedback, notifier, isClearArgs(args) ? args : undefined, settle))),
    vscode.commands.registerCommand('cptWriter.buildPreferencePairs', guarded('Build Preference Pairs', (args) => buildPreferencePairs({ notifier, currentLog: () => feedback.path, flush }, args))),
  ];
  return {
    edits,
    flush,
    resetFirstUseNotice: () => context.globalState.update(FEEDBACK_NOTICE_KEY, undefined),
    dispose: () => { for (const d of disposables) d.dispose(); },
  };
}
