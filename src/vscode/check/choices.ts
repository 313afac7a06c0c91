// What a style check asks before it runs: the rubric (the current style's preselected) and the target, a
// level 1–5 or the document's own median. Arguments skip the pickers (tests, keybindings, tasks).
import * as vscode from 'vscode';
import { LEVELS, levelName, type Rubric } from '../../core/rubrics';
import type { CheckTarget } from '../../core/check';
import type { Notifier } from '../common/notify';
import type { RubricService } from '../rubrics/rubric-service';
import type { CurrentStyle } from '../style/current-style';
import { isLevel } from '../style/current-style';
import { pickRubric } from '../style/pickers';

export interface CheckArgs {
  rubricId?: string;
  target?: CheckTarget;
}

/** Reads `({ rubricId, target })` from a command's arguments; anything else is ignored. */
export function parseCheckArgs(args: readonly unknown[]): CheckArgs {
  const first = args[0];
  if (!first || typeof first !== 'object' || first instanceof vscode.Uri) return {};
  const o = first as { rubricId?: unknown; target?: unknown };
  return {
    ...(typeof o.rubricId === 'string' ? { rubricId: o.rubricId } : {}),
    ...(o.target === 'median' || isLevel(o.target) ? { target: o.target } : {}),
  };
}

type TargetItem = vscode.QuickPickItem & { target: CheckTarget };

async function pickTarget(rubric: Rubric, current: number): Promise<CheckTarget | undefined> {
  const items: TargetItem[] = [
    {
      label: vscode.l10n.t("The document's median"),
      detail: vscode.l10n.t('Flag the paragraphs that read unlike the rest of the document'),
      target: 'median',
    },
    ...LEVELS.map((level) => ({
      label: `${level} · ${levelName(rubric, level)}`,
      description: level === current ? vscode.l10n.t('current') : undefined,
      target: level,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('CPT Writer: {0} target level', rubric.title),
    placeHolder: vscode.l10n.t('Which level should every paragraph read at?'),
  });
  return picked?.target;
}

/** The rubric and target from `args` or the writer's picks; undefined when they back out or the rubric is gone. */
export async function chooseCheck(
  deps: { rubrics: RubricService; style: CurrentStyle; notifier: Notifier },
  args: CheckArgs,
): Promise<{ rubric: Rubric; target: CheckTarget } | undefined> {
  const current = deps.style.get();
  const rubric = args.rubricId
    ? await deps.rubrics.get(args.rubricId)
    : await pickRubric(deps.rubrics, current.rubricId);
  if (!rubric) {
    if (args.rubricId)
      deps.notifier.warn(vscode.l10n.t('CPT Writer: the rubric "{0}" is not available.', args.rubricId));
    return undefined;
  }
  const target = args.target ?? (await pickTarget(rubric, current.level));
  return target ? { rubric, target } : undefined;
}
