// Choosing a style evaluates its system prompt (and the user message's fixed start) ahead of time, so
// the next rewrite starts at once. Debounced: a slider drag prewarms once, for where it stopped.
import * as vscode from 'vscode';
import type { PromptMode } from '../../core/prompts';
import { rewritePromptPrefix } from '../../core/rewrite';
import type { Logger } from '../../core/log';
import { errorMessage } from '../common/log';
import type { RubricService } from '../rubrics/rubric-service';
import type { CurrentStyle } from '../style/current-style';
import type { ModelService } from './model-service';

const PREWARM_DELAY_MS = 400;

export interface PrewarmDeps {
  models: ModelService;
  rubrics: RubricService;
  style: CurrentStyle;
  logger: Logger;
  /** The prompt mode the next rewrite uses. */
  promptMode(): PromptMode;
  /** False while a rewrite is open: the engine is busy with it and its prompt is already evaluated. */
  idle(): boolean;
}

/** Prewarms after each style change and each time a model becomes ready; dispose cancels a pending one. */
export function registerPrewarm(deps: PrewarmDeps): vscode.Disposable {
  const { models, rubrics, style, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  const prewarm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = undefined;
      if (models.status.state !== 'ready' || !deps.idle()) return;
      const current = style.get();
      const rubric = await rubrics.get(current.rubricId);
      if (!rubric) return;
      const ready = await models.ensureReady();
      if (!ready) return;
      try {
        const languageId = vscode.window.activeTextEditor?.document.languageId;
        const { system, userPrefix } = rewritePromptPrefix(
          { rubric, level: current.level },
          deps.promptMode(),
          languageId,
        );
        const r = await ready.engine.prewarm(system, { userPrefix });
        const restored = r.restoredTokens ? `, ${r.restoredTokens} of them restored from the prompt cache` : '';
        logger.info(
          `prewarmed ${rubric.id} level ${current.level}: ${r.tokens} tokens in ${Math.round(r.ms)} ms${restored}`,
        );
      } catch (err) {
        logger.debug(`prewarm skipped: ${errorMessage(err)}`);
      }
    }, PREWARM_DELAY_MS);
  };
  return vscode.Disposable.from(
    style.onDidChange(prewarm),
    models.onDidChange((s) => {
      if (s.state === 'ready') prewarm();
    }),
    {
      dispose: () => {
        if (timer) clearTimeout(timer);
      },
    },
  );
}
