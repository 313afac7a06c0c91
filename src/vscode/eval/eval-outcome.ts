// What the writer is told when Evaluate Model… ends: passages or writing prompts skipped, samples given up, a cancel or an
// incomplete run (each with where the samples are), and the report opened in the Markdown preview.
import * as vscode from 'vscode';
import type { EvalOutcome } from '../../core/eval';
import { errorMessage } from '../common/log';
import type { Services } from '../services';

/** `kind`: what the run evaluated on, passages to rewrite or writing prompts (free writing). */
export function tellOutcome(outcome: EvalOutcome, outDir: string, kind: 'texts' | 'tasks', services: Services): void {
  for (const n of outcome.notices) services.logger.warn(n);
  for (const t of outcome.skippedTexts)
    services.logger.warn(
      `${t.textId}: skipped: its prompt is ${t.tokens} tokens and does not fit a ${t.contextSize}-token context ` +
        'with the token limit',
    );
  const skipped = new Set(outcome.skippedTexts.map((t) => t.textId)).size;
  if (skipped) services.notifier.warn(skippedMessage(skipped, kind));
  if (outcome.givenUp.length)
    services.notifier.warn(
      outcome.givenUp.length === 1
        ? vscode.l10n.t('CPT Writer: 1 sample failed 3 times and is given up (see the log).')
        : vscode.l10n.t(
            'CPT Writer: {0} samples failed 3 times and are given up (see the log).',
            outcome.givenUp.length,
          ),
    );
  if (outcome.status === 'cancelled') {
    services.notifier.info(
      vscode.l10n.t(
        'CPT Writer: evaluation cancelled; the {0} finished samples are kept in {1} (evaluate into the same ' +
          'folder to continue).',
        outcome.present,
        outDir,
      ),
    );
  } else if (outcome.status === 'incomplete') {
    services.notifier.warn(
      vscode.l10n.t(
        'CPT Writer: {0} of {1} samples failed (see the log); evaluate into the same folder to retry them.',
        outcome.planned - outcome.present,
        outcome.planned,
      ),
    );
  }
}

function skippedMessage(skipped: number, kind: 'texts' | 'tasks'): string {
  if (kind === 'tasks')
    return skipped === 1
      ? vscode.l10n.t(
          "CPT Writer: 1 writing prompt was skipped: too long for the model's context with the token limit (see the log).",
        )
      : vscode.l10n.t(
          'CPT Writer: {0} writing prompts were skipped: ' +
            "too long for the model's context with the token limit (see the log).",
          skipped,
        );
  return skipped === 1
    ? vscode.l10n.t(
        "CPT Writer: 1 passage was skipped: too long for the model's context with the token limit (see the log).",
      )
    : vscode.l10n.t(
        'CPT Writer: {0} passages were skipped: ' +
          "too long for the model's context with the token limit (see the log).",
        skipped,
      );
}

export async function openReport(file: string, services: Services): Promise<void> {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch (err) {
    // Without the built-in Markdown extension the report still opens, as text.
    services.logger.warn(`Markdown preview unavailable (${errorMessage(err)}); opening the report as text`);
    await vscode.window.showTextDocument(uri, { preview: false });
  }
}
