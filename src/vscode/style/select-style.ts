// Choosing a style: from arguments (a rubric id and a level, as `(rubricId, level)` or
// `({ rubricId, level })`, so keybindings and tests can skip the Quick Picks) or from the writer's picks.
import * as vscode from 'vscode';
import type { Level, Rubric } from '../../core/rubrics';
import type { Notifier } from '../common/notify';
import type { RubricService } from '../rubrics/rubric-service';
import { isLevel } from './current-style';
import type { StyleChoice } from '../../shared/protocol';
import type { CurrentStyle } from './current-style';
import { pickLevel, pickRubric, pickStyle, type FlowStep } from './pickers';

export interface StyleArgs {
  rubricId?: string;
  level?: Level;
}

/** Reads `(rubricId, level)` or `({ rubricId, level })`; menu invocations pass a Uri, which is ignored. */
export function parseStyleArgs(args: readonly unknown[]): StyleArgs {
  const [first, second] = args;
  if (typeof first === 'string') return { rubricId: first, level: isLevel(second) ? second : undefined };
  if (first && typeof first === 'object' && !(first instanceof vscode.Uri)) {
    const o = first as { rubricId?: unknown; level?: unknown };
    return {
      rubricId: typeof o.rubricId === 'string' ? o.rubricId : undefined,
      level: isLevel(o.level) ? o.level : undefined,
    };
  }
  return {};
}

export interface StyleDeps {
  rubrics: RubricService;
  style: CurrentStyle;
  notifier: Notifier;
}

/** The rubric named in args (an unknown id is an error the writer is told), or one the writer picks. */
export async function resolveRubric(
  { rubrics, notifier }: StyleDeps,
  args: StyleArgs,
  current?: string,
  at?: FlowStep,
): Promise<Rubric | undefined> {
  if (!args.rubricId) return pickRubric(rubrics, current, at);
  const rubric = await rubrics.get(args.rubricId);
  if (!rubric) {
    const { rubrics: list, problems } = await rubrics.list();
    rubrics.reportProblems(problems);
    notifier.error(
      vscode.l10n.t(
        'CPT Writer: no rubric with id "{0}". Available: {1}.',
        args.rubricId,
        list.map((r) => r.id).join(', ') || vscode.l10n.t('none'),
      ),
    );
  }
  return rubric;
}

/** Select Style: stores and returns the chosen style; undefined when the writer backed out. */
export async function selectStyle(deps: StyleDeps, args: StyleArgs): Promise<StyleChoice | undefined> {
  const { rubrics, style } = deps;
  let chosen: StyleChoice | undefined;
  if (args.rubricId) {
    const rubric = await resolveRubric(deps, args);
    if (!rubric) return undefined;
    const level = args.level ?? (await pickLevel(rubric, style.get().level));
    if (level) chosen = { rubricId: rubric.id, level };
  } else {
    const picked = await pickStyle(rubrics, style.get());
    if (picked) chosen = { rubricId: picked.rubric.id, level: picked.level };
  }
  if (chosen) await style.set(chosen);
  return chosen;
}
