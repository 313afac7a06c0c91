// Recording the writer's text is on by default, so the first time anything is recorded they are told
// what is kept and where, once, with a way to look at it and a way to turn it off.
import * as vscode from 'vscode';
import type { RewriteStreamEvent } from '../preview/session';
import { SECTION } from '../common/config';
import type { Notifier } from '../common/notify';

export const FEEDBACK_NOTICE_KEY = 'cptWriter.feedback.noticeShown';

export interface NoticeDeps {
  globalState: vscode.Memento;
  notifier: Notifier;
  /** Completed rewrites: each one is the first thing recorded about it. */
  onDidRewrite: vscode.Event<RewriteStreamEvent>;
  feedback: { readonly enabled: boolean; readonly path: string };
  /** Opens the log (what Open Feedback Log runs). */
  openLog(): unknown;
}

export function feedbackNoticeText(logPath: string): string {
  return vscode.l10n.t(
    'CPT Writer keeps a feedback log to build preference pairs from your choices: for each rewrite it records ' +
      'the original text, the rewrite, the style (rubric, level and prompt), your decision (accepted, rejected, ' +
      'or your edits ' +
      "after accepting) and the document's path and language. It stays on this machine, in {0}.",
    logPath,
  );
}

export function registerFirstUseNotice(deps: NoticeDeps): vscode.Disposable {
  return deps.onDidRewrite((e) => {
    if (e.type !== 'done' || !deps.feedback.enabled || deps.globalState.get<boolean>(FEEDBACK_NOTICE_KEY)) return;
    void deps.globalState.update(FEEDBACK_NOTICE_KEY, true);
    deps.notifier.info(
      feedbackNoticeText(deps.feedback.path),
      { title: vscode.l10n.t('Open Log'), run: deps.openLog },
      { title: vscode.l10n.t('Turn Off'), run: () => turnOff(deps.notifier) },
    );
  });
}

async function turnOff(notifier: Notifier): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('feedback.enabled', false, vscode.ConfigurationTarget.Global);
  notifier.info(
    vscode.l10n.t(
      'CPT Writer: feedback recording is off. Turn it back on with the "cptWriter.feedback.enabled" setting; the ' +
        'existing log is kept.',
    ),
  );
}
