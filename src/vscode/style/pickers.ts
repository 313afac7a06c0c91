// Quick Picks for a rubric and a level. Broken rubric files are reported (FILE:LINE:COL) while the
// valid rubrics stay pickable.
import * as vscode from 'vscode';
import { directiveFor } from '../../core/prompts';
import { LEVELS, levelName } from '../../core/rubrics';
import type { Level, Rubric } from '../../core/rubrics';
import type { RubricService } from '../rubrics/rubric-service';
import type { Style } from '../../core/rewrite';
import type { StyleChoice } from '../../shared/protocol';

type RubricItem = vscode.QuickPickItem & { rubric: Rubric };
type LevelItem = vscode.QuickPickItem & { level: Level };

/**
 * Where a picker stands in a flow of several (Select Style: rubric then level; Rewrite Selection: rubric,
 * level, note). VS Code shows it as "2/3" in the picker's title bar; a picker on its own shows no count,
 * so every flow counts its steps the same way, the note step included (see askNote).
 */
export interface FlowStep {
  step: number;
  totalSteps: number;
}

/** Sets a picker's (or an input box's) place in its flow, when it has one. */
export function applyStep(input: { step: number | undefined; totalSteps: number | undefined }, at?: FlowStep): void {
  input.step = at?.step;
  input.totalSteps = at?.totalSteps;
}

export async function pickRubric(rubrics: RubricService, current?: string, at?: FlowStep): Promise<Rubric | undefined> {
  const { rubrics: list, problems } = await rubrics.list();
  rubrics.reportProblems(problems);
  if (list.length === 0) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('CPT Writer: no rubric could be loaded. See the log for the problems.'),
    );
    return undefined;
  }
  const items: RubricItem[] = list.map((r) => ({
    label: `${r.id === current ? '$(check) ' : ''}${r.title}`,
    description: r.source.builtin ? r.summary : vscode.l10n.t('{0} (workspace)', r.summary),
    detail: r.levels.map((name, i) => `${i + 1} ${name}`).join(' · '),
    rubric: r,
  }));
  const active = items.find((i) => i.rubric.id === current);
  const qp = vscode.window.createQuickPick<RubricItem>();
  qp.title = vscode.l10n.t('CPT Writer: Rubric');
  applyStep(qp, at);
  qp.placeholder = vscode.l10n.t('Which style should the text follow?');
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.items = items;
  if (active) qp.activeItems = [active];
  return pick(qp, (i) => i.rubric);
}

export async function pickLevel(rubric: Rubric, current?: Level, at?: FlowStep): Promise<Level | undefined> {
  const items: LevelItem[] = LEVELS.map((level) => {
    let detail = '';
    try {
      detail = directiveFor(rubric, level);
    } catch {
      detail = '';
    }
    return {
      label: `${level} · ${levelName(rubric, level)}`,
      description: level === current ? vscode.l10n.t('current') : undefined,
      detail,
      level,
    };
  });
  const qp = vscode.window.createQuickPick<LevelItem>();
  qp.title = vscode.l10n.t('CPT Writer: {0} level', rubric.title);
  applyStep(qp, at);
  qp.placeholder = vscode.l10n.t('1 = {0}, 5 = {1}', rubric.levels[0], rubric.levels[4]);
  qp.items = items;
  qp.activeItems = [items[(current ?? 3) - 1]];
  return pick(qp, (i) => i.level);
}

/** Both pickers in a row; undefined when the writer backs out of either. */
export async function pickStyle(rubrics: RubricService, current: StyleChoice): Promise<Style | undefined> {
  const rubric = await pickRubric(rubrics, current.rubricId, { step: 1, totalSteps: 2 });
  if (!rubric) return undefined;
  const level = await pickLevel(rubric, rubric.id === current.rubricId ? current.level : undefined, {
    step: 2,
    totalSteps: 2,
  });
  return level ? { rubric, level } : undefined;
}

function pick<T extends vscode.QuickPickItem, R>(
  qp: vscode.QuickPick<T>,
  value: (item: T) => R,
): Promise<R | undefined> {
  return new Promise((resolve) => {
    let result: R | undefined;
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      result = chosen ? value(chosen) : undefined;
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(result);
    });
    qp.show();
  });
}
