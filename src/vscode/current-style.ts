// The current style (rubric + level) used by "Rewrite Selection with Current Style" and the sidebar:
// kept per workspace in workspaceState, defaulting to cptWriter.defaultRubric / defaultLevel.
import * as vscode from 'vscode';
import { levelName } from '../core/rubrics';
import type { Level, Rubric } from '../core/rubrics';
import { readConfig } from './config';
import type { RubricService } from './rubric-service';

export interface Style { rubricId: string; level: Level }

const STATE_KEY = 'cptWriter.currentStyle';

export function isLevel(n: unknown): n is Level {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5;
}

export class CurrentStyle implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Style>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get(): Style {
    const stored = this.state.get<Partial<Style>>(STATE_KEY);
    const cfg = readConfig();
    return {
      rubricId: typeof stored?.rubricId === 'string' && stored.rubricId ? stored.rubricId : cfg.defaultRubric,
      level: isLevel(stored?.level) ? stored.level : cfg.defaultLevel,
    };
  }

  /** True when the writer has picked a style (not just the defaults). */
  isChosen(): boolean {
    return this.state.get(STATE_KEY) !== undefined;
  }

  async set(style: Style): Promise<void> {
    await this.state.update(STATE_KEY, { rubricId: style.rubricId, level: style.level });
    this.changed.fire(this.get());
  }

  /** Settings defaults changed: only matters while nothing was picked. */
  defaultsChanged(): void {
    if (!this.isChosen()) this.changed.fire(this.get());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** "$(symbol-color) Formality · Professional", opening cptWriter.selectStyle. */
export function createStyleStatusBar(style: CurrentStyle, rubrics: RubricService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('cptWriter.style', vscode.StatusBarAlignment.Right, 101);
  item.name = 'CPT Writer Style';
  item.command = 'cptWriter.selectStyle';
  let version = 0;
  const render = async () => {
    const mine = ++version;
    const current = style.get();
    const rubric = await rubrics.get(current.rubricId).catch(() => undefined);
    if (mine !== version) return;
    item.text = `$(symbol-color) ${styleLabel(rubric, current)}`;
    item.tooltip = rubric
      ? `CPT Writer style: ${rubric.title}, level ${current.level} of 5 (${levelName(rubric, current.level)}).\n${rubric.summary}\nClick to change.`
      : `CPT Writer style: rubric "${current.rubricId}" is not available. Click to pick a style.`;
    item.show();
  };
  void render();
  return vscode.Disposable.from(item, style.onDidChange(() => void render()), rubrics.onDidChange(() => void render()));
}

export function styleLabel(rubric: Rubric | undefined, style: Style): string {
  return rubric ? `${rubric.title} · ${levelName(rubric, style.level)}` : `${style.rubricId} · ${style.level}`;
}
