// Notifications with actions. They are never awaited by a flow (a notification stays until the writer
// dismisses it), and the last ones are kept so in-host tests can assert what the writer was told.
import * as vscode from 'vscode';

export type Severity = 'info' | 'warning' | 'error';
export interface ShownMessage {
  severity: Severity;
  message: string;
  actions: string[];
  time: number;
  modal?: boolean;
}

export interface Action {
  title: string;
  run: () => unknown;
}

/** Answers a modal question in place of the writer (in-host tests only: a modal would wait forever there). */
export type ModalAnswerer = (message: string, actions: readonly string[]) => string | undefined;

/**
 * Messages kept for messages(). The in-host tests read "everything after index N" across the whole suite
 * (~150 messages now), so the cap must stay well above a suite's total; 1000 short strings are ~200 kB.
 */
const MAX_RECENT = 1000;

export class Notifier {
  private readonly recent: ShownMessage[] = [];
  /** Set only by in-host tests (through the test API's services); undefined in every real session. */
  answerModals: ModalAnswerer | undefined;

  constructor(private readonly showLog: () => void) {}

  /** Shows a message; the chosen action runs when picked. Returns at once. */
  show(severity: Severity, message: string, ...actions: Action[]): void {
    this.recent.push({ severity, message, actions: actions.map((a) => a.title), time: Date.now() });
    if (this.recent.length > MAX_RECENT) this.recent.shift();
    const titles = actions.map((a) => a.title);
    const shown =
      severity === 'error'
        ? vscode.window.showErrorMessage(message, ...titles)
        : severity === 'warning'
          ? vscode.window.showWarningMessage(message, ...titles)
          : vscode.window.showInformationMessage(message, ...titles);
    void Promise.resolve(shown).then(
      (picked) => actions.find((a) => a.title === picked)?.run(),
      () => undefined,
    );
  }

  /** An error with a "Show Log" action (and any others). */
  error(message: string, ...actions: Action[]): void {
    this.show('error', message, ...actions, { title: vscode.l10n.t('Show Log'), run: this.showLog });
  }

  warn(message: string, ...actions: Action[]): void {
    this.show('warning', message, ...actions);
  }

  info(message: string, ...actions: Action[]): void {
    this.show('info', message, ...actions);
  }

  /**
   * Asks a modal question that the writer must answer before anything else; resolves with the chosen
   * action's title, or undefined when they dismissed it. Recorded with the other messages.
   */
  async ask(severity: Severity, message: string, detail: string, ...actions: string[]): Promise<string | undefined> {
    this.recent.push({ severity, message, actions, time: Date.now(), modal: true });
    if (this.recent.length > MAX_RECENT) this.recent.shift();
    if (this.answerModals) return this.answerModals(message, actions);
    const options: vscode.MessageOptions = { modal: true, detail };
    const shown =
      severity === 'error'
        ? vscode.window.showErrorMessage(message, options, ...actions)
        : severity === 'warning'
          ? vscode.window.showWarningMessage(message, options, ...actions)
          : vscode.window.showInformationMessage(message, options, ...actions);
    return shown;
  }

  /** Messages shown so far (oldest first), for tests. */
  messages(): readonly ShownMessage[] {
    return this.recent;
  }
}
