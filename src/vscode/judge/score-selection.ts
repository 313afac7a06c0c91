// "CPT Writer: Score Selection against Rubric": the judge's score and critique for any selected text,
// against the current style's rubric, with the current level's target beside it. Nothing is written.
import * as vscode from 'vscode';
import { JudgeCancelledError, judgeText } from '../../core/judge';
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

/** Scores the active editor's selection; undefined when there was nothing to score, it was cancelled or it failed (the writer is told). */
export async function scoreSelection(deps: ScoreSelectionDeps): Promise<SelectionScore | undefined> {
  const { notifier, logger } = deps;
  const editor = vscode.window.activeTextEditor;
  const text = editor?.document.getText(editor.selection) ?? '';
  if (!editor || !text.trim()) {
    notifier.info('CPT Writer: select the text to score first.');
    return undefined;
  }
  const current = deps.style.get();
  const rubric = await deps.rubrics.get(current.rubricId);
  if (!rubric) {
    notifier.warn(`CPT Writer: the current style's rubric "${current.rubricId}" is not available; pick a style first.`);
    return undefined;
  }
  const level = current.level;
  const target = LEVEL_TARGET_SCORE[level];
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `CPT Writer: scoring against ${rubric.title}…`, cancellable: true }, async (_p, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const generator = await deps.judge.generator();
      if (!generator) {
        // A failed load was already reported by the model service; no model at all is said here.
        if (!readConfig().model) notifier.info('CPT Writer: choose a model first (CPT Writer: Select Model…), then score the selection again.');
        return undefined;
      }
      const j = await judgeText(generator, rubric, text, { signal: ac.signal });
      const message = `CPT Writer: ${rubric.title} score ${j.score} → target ${target} (level ${level}, ${levelName(rubric, level)})${j.critique ? `. ${j.critique}` : ''}`;
      logger.info(`score selection: ${rubric.id} ${j.score} (target ${target} at level ${level}), ${text.length} chars: ${j.critique}`);
      notifier.info(message);
      return { score: j.score, critique: j.critique, rubricId: rubric.id, level, target, message };
    } catch (err) {
      if (err instanceof JudgeCancelledError) return undefined;
      const message = `CPT Writer could not score the selection: ${errorMessage(err)}`;
      logger.error(message);
      notifier.error(message);
      return undefined;
    } finally {
      sub.dispose();
    }
  });
}
