// The two ways to start a rewrite, as functions: the command registry registers them under
// cptWriter.rewriteSelection / rewriteSelectionWithCurrentStyle, and the sidebar calls the second one
// directly, so every entry point behaves alike and resolves with the run's result.
import * as vscode from 'vscode';
import type { Level, Rubric } from '../../core/rubrics';
import type { Notifier } from '../common/notify';
import type { RubricService } from '../rubrics/rubric-service';
import type { StyleChoice } from '../../shared/protocol';
import type { CurrentStyle } from '../style/current-style';
import { pickLevel } from '../style/pickers';
import { resolveRubric } from '../style/select-style';
import type { StyleArgs } from '../style/select-style';
import type { RewriteController, RewriteRunResult } from './rewrite-controller';

export interface RewriteActionDeps {
  rubrics: RubricService;
  style: CurrentStyle;
  rewrite: RewriteController;
  notifier: Notifier;
}

export interface RewriteActions {
  /** Rewrite Selection…: the style from `args` or the writer's picks, which also becomes the current style. */
  rewriteSelection(args?: StyleArgs): Promise<RewriteRunResult | undefined>;
  /** Rewrite Selection with Current Style (fields in `args` override it); asks for a style when its rubric is gone. */
  rewriteWithCurrentStyle(args?: StyleArgs): Promise<RewriteRunResult | undefined>;
}

export function createRewriteActions(deps: RewriteActionDeps): RewriteActions {
  const { rubrics, style, rewrite, notifier } = deps;

  const rewriteWith = async (rubric: Rubric, level: Level): Promise<RewriteRunResult> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      const message = 'CPT Writer: open a document and select the text to rewrite first.';
      notifier.info(message);
      return { outcome: 'no-selection', message };
    }
    return rewrite.run(editor, { rubric, level });
  };

  const rewriteSelection = async (args: StyleArgs = {}): Promise<RewriteRunResult | undefined> => {
    const current = style.get();
    const rubric = await resolveRubric(deps, args, current.rubricId);
    if (!rubric) return undefined;
    const level = args.level ?? await pickLevel(rubric, rubric.id === current.rubricId ? current.level : undefined);
    if (!level) return undefined;
    await style.set({ rubricId: rubric.id, level });
    return rewriteWith(rubric, level);
  };

  const rewriteWithCurrentStyle = async (args: StyleArgs = {}): Promise<RewriteRunResult | undefined> => {
    const current = style.get();
    const wanted: StyleChoice = { rubricId: args.rubricId ?? current.rubricId, level: args.level ?? current.level };
    const rubric = await rubrics.get(wanted.rubricId);
    if (!rubric) {
      notifier.warn(`CPT Writer: the current style's rubric "${wanted.rubricId}" is not available; pick a style.`);
      return rewriteSelection();
    }
    return rewriteWith(rubric, wanted.level);
  };

  return { rewriteSelection, rewriteWithCurrentStyle };
}
