// The current style (rubric + level) used by "Rewrite Selection with Current Style" and the sidebar:
// kept per workspace in workspaceState, defaulting to cptWriter.defaultRubric / defaultLevel.
import * as vscode from 'vscode';
import type { Level } from '../../core/rubrics';
import type { StyleChoice } from '../../shared/protocol';
import { readConfig } from '../common/config';

const STATE_KEY = 'cptWriter.currentStyle';

export function isLevel(n: unknown): n is Level {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5;
}

export class CurrentStyle implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StyleChoice>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get(): StyleChoice {
    const stored = this.state.get<Partial<StyleChoice>>(STATE_KEY);
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

  async set(style: StyleChoice): Promise<void> {
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
