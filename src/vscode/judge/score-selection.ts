// "CPT Writer: Score Selection against Rubric": the judge's score and critique for any selected text,
// against the current style's rubric, with the current level's target beside it. Nothing is written.
import * as vscode from 'vscode';
import { isCancelled } from '../../core/errors';
import { judgeText } from '../../core/judge';
import type { Logger } from '../../core/log';
import { LEVEL_TARGET_SCORE, levelName, type Level } from '../../core/rubrics';
import type { Notifier } from '../common/notify';
import { errorMessage } from '../common/log';
import { readConfig } from '../common/config';
import type { RubricService } from '../rubrics/rubric-service';
import type { CurrentStyle } from '../style/current-style';
import type { JudgeService } from './judge-service';

export interface ScoreSelectionDeps {
  judge: JudgeService;
  rubrics: RubricService;
  style: CurrentStyle;
  notifier: Notifier;
  logger: Logger;
}

export interface SelectionScore {
  score: number;
  critique: string;
  rubricId: string;
  level: Level;
  /** The current level's target score (10, 30, 50, 70, 90). */
  target: number;
  /** What the writer was shown. */
  message: string;
}

/**
 * Scores the active editor's selection; undefined when there was nothing to score, it was cancelled or it failed (the
 * writer is told).
 */
export async function scoreSelection(deps: ScoreSelectionDeps): Promise<SelectionScore | undefined> {
  const { notifier, logger } = deps;
  const editor = vscode.window.activeTextEditor;
  const text = editor?.document.getText(editor.selection) ?? '';
  if (!editor || !text.trim()) {
    notifier.info(vscode.l10n.t('CPT Writer: select the text to score first.'));
    return undefined;
  }
  const current = deps.style.get();
  const rubric = await deps.rubrics.get(current.rubricId);
  if (!rubric) {
    notifier.warn(
      vscode.l10n.t(
        'CPT Writer: the current style\'s rubric "{0}" is not available; pick a style first.',
        current.rubricId,
      ),
    );
    return undefined;
  }
  const level = current.level;
  const target = LEVEL_TARGET_SCORE[level];
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CPT Writer: scoring against {0}…', rubric.title),
      cancellable: true,
    },
    async (_p, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        const generator = await deps.judge.generator();
        if (!generator) {
          // A failed load was already reported by the model service; no model at all is said here.
          if (!readConfig().model)
            notifier.info(
              vscode.l10n.t(
                'CPT Writer: choose a model first (CPT Writer: Select Model…), then score the selection again.',
              ),
            );
          return undefined;
        }
        const j = await judgeText(generator, rubric, text, { signal: ac.signal });
        const message = j.critique
          ? vscode.l10n.t(
              'CPT Writer: {0} score {1} → target {2} (level {3}, {4}). {5}',
              rubric.title,
              j.score,
              target,
              level,
              levelName(rubric, level),
              j.critique,
            )
          : vscode.l10n.t(
              'CPT Writer: {0} score {1} → target {2} (level {3}, {4})',
              rubric.title,
              j.score,
              target,
              level,
              levelName(rubric, level),
            );
        logger.info(
          `score selection: ${rubric.id} ${j.score} (target ${target} at level ${level}), ${text.length} chars: ` +
            `${j.critique}`,
        );
        notifier.info(message);
        return { score: j.score, critique: j.critique, rubricId: rubric.id, level, target, message };
      } catch (err) {
        if (isCancelled(err)) return undefined;
        logger.error(`CPT Writer could not score the selection: ${errorMessage(err)}`);
        notifier.error(vscode.l10n.t('CPT Writer could not score the selection: {0}', errorMessage(err)));
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}
