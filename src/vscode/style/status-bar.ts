// The style status bar item: "$(symbol-color) Formality · Professional"; a click runs Select Style.
import * as vscode from 'vscode';
import { levelName } from '../../core/rubrics';
import type { Rubric } from '../../core/rubrics';
import type { RubricService } from '../rubrics/rubric-service';
import type { StyleChoice } from '../../shared/protocol';
import type { CurrentStyle } from './current-style';

/** "$(symbol-color) Formality · Professional", opening cptWriter.selectStyle. */
export function createStyleStatusBar(style: CurrentStyle, rubrics: RubricService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('cptWriter.style', vscode.StatusBarAlignment.Right, 101);
  item.name = vscode.l10n.t('CPT Writer Style');
  item.command = 'cptWriter.selectStyle';
  let version = 0;
  const render = async () => {
    const mine = ++version;
    const current = style.get();
    const rubric = await rubrics.get(current.rubricId).catch(() => undefined);
    if (mine !== version) return;
    item.text = `$(symbol-color) ${styleLabel(rubric, current)}`;
    item.tooltip = rubric
      ? vscode.l10n.t(
          'CPT Writer style: {0}, level {1} of 5 ({2}).\n{3}\nClick to change.',
          rubric.title,
          current.level,
          levelName(rubric, current.level),
          rubric.summary,
        )
      : vscode.l10n.t('CPT Writer style: rubric "{0}" is not available. Click to pick a style.', current.rubricId);
    item.show();
  };
  void render();
  return vscode.Disposable.from(
    item,
    style.onDidChange(() => void render()),
    rubrics.onDidChange(() => void render()),
  );
}

export function styleLabel(rubric: Rubric | undefined, style: StyleChoice): string {
  return rubric ? `${rubric.title} · ${levelName(rubric, style.level)}` : `${style.rubricId} · ${style.level}`;
}
