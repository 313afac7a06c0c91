// Notifications with actions. They are never awaited by a flow (a notification stays until the writer
// dismisses it), and the last ones are kept so in-host tests can assert what the writer was told.
import * as vscode from 'vscode';

export type Severity = 'info' | 'warning' | 'error';
export interface ShownMessage { severity: Severity; message: string; actions: string[]; time: number }

export interface Action { title: string; run: () => unknown }

export class Notifier {
  private readonly recent: ShownMessage[] = [];

  constructor(private readonly showLog: () => void) {}

  /** Shows a message; the chosen action runs when picked. Returns at once. */
  show(severity: Severity, message: string, ...actions: Action[]): void {
    this.recent.push({ severity, message, actions: actions.map((a) => a.title), time: Date.now() });
    if (this.recent.length > 50) this.recent.shift();
    const titles = actions.map((a) => a.title);
    const shown = severity === 'error'
      ? vscode.window.showErrorMessage(message, ...titles)
      : severity === 'warning'
        ? vscode.window.showWarningMessage(message, ...titles)
        : vscode.window.showInformationMessage(message, ...titles);
    void Promise.resolve(shown).then((picked) => actions.find((a) => a.title === picked)?.run(), () => undefined);
  }

  /** An error with a "Show Log" action (and any others). */
  error(message: string, ...actions: Action[]): void {
    this.show('error', message, ...actions, { title: 'Show Log', run: this.showLog });
  }

  warn(message: string, ...actions: Action[]): void {
    this.show('warning', message, ...actions);
  }

  info(message: string, ...actions: Action[]): void {
    this.show('info', message, ...actions);
  }

  /** Messages shown so far (oldest first), for tests. */
  messages(): readonly ShownMessage[] {
    return this.recent;
  }
}
