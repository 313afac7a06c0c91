// Open Feedback Log and Clear Feedback Log. Clearing never deletes: the log moves to a dated backup.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Notifier } from '../common/notify';

/** What these commands need of the feedback recorder. */
export interface FeedbackLogAccess {
  readonly path: string;
  /** Resolves when every event recorded so far is written. */
  flush(): Promise<void>;
  /** Moves the log to a dated backup; undefined when there was none. */
  clear(): Promise<string | undefined>;
}

export type OpenLogResult = { state: 'missing' | 'empty' | 'opened'; path: string };

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new Error(vscode.l10n.t('{0} is not a file', file));
    return stat.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Opens the JSONL log; says so when nothing has been recorded yet. */
export async function openFeedbackLog(
  log: FeedbackLogAccess,
  notifier: Notifier,
  beforeRead?: () => void,
): Promise<OpenLogResult> {
  beforeRead?.();
  await log.flush();
  const file = log.path;
  const size = await sizeOf(file);
  if (size === undefined) {
    notifier.info(
      vscode.l10n.t('CPT Writer: no feedback has been recorded yet; the log will be created at {0}.', file),
    );
    return { state: 'missing', path: file };
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  if (size === 0) {
    notifier.info(
      vscode.l10n.t(
        'CPT Writer: the feedback log {0} is empty; nothing has been recorded since it was last cleared.',
        file,
      ),
    );
    return { state: 'empty', path: file };
  }
  return { state: 'opened', path: file };
}

export interface ClearArgs {
  /** Skips the confirmation (tests, scripts); the log still only moves to a backup. */
  confirmed?: boolean;
}

export type ClearLogResult =
  { state: 'cancelled' | 'missing'; path: string } | { state: 'cleared'; path: string; backup: string };

/** Asks first (modal), then moves the log to a dated backup beside it and says where. */
export async function clearFeedbackLog(
  log: FeedbackLogAccess,
  notifier: Notifier,
  args?: ClearArgs,
  beforeRead?: () => void,
): Promise<ClearLogResult> {
  const file = log.path;
  if (!args?.confirmed) {
    const clear = vscode.l10n.t('Clear');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Clear the CPT Writer feedback log?'),
      {
        modal: true,
        detail: vscode.l10n.t(
          '{0} moves to a dated backup in {1}; nothing is deleted, and new feedback starts a fresh log.',
          file,
          path.dirname(file),
        ),
      },
      clear,
    );
    if (answer !== clear) return { state: 'cancelled', path: file };
  }
  // Pending edits belong to the old log, with the rewrites they refer to.
  beforeRead?.();
  const backup = await log.clear();
  if (!backup) {
    notifier.info(vscode.l10n.t('CPT Writer: there is no feedback log to clear ({0}).', file));
    return { state: 'missing', path: file };
  }
  notifier.info(vscode.l10n.t('CPT Writer: feedback log cleared. The old log is at {0}.', backup), {
    title: vscode.l10n.t('Open Backup'),
    run: () => vscode.window.showTextDocument(vscode.Uri.file(backup), { preview: true }),
  });
  return { state: 'cleared', path: file, backup };
}

export function isClearArgs(value: unknown): value is ClearArgs {
  return !!value && typeof value === 'object' && !(value instanceof vscode.Uri);
}
