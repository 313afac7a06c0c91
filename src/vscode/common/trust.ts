// Restricted Mode: in an untrusted workspace VS Code ignores the workspace values of the restricted settings.
// A writer who cloned a repository would otherwise wonder why its judge model or best-of count has no effect,
// so the extension says once, in the log and in the model's status bar tooltip, which values it did not use.
import * as vscode from 'vscode';
import { SECTION } from './config';
import { RESTRICTED_SETTINGS } from './restricted-settings';

/** `cptWriter.*` keys that the workspace (or a folder of it) sets but that an untrusted workspace may not set. */
export function ignoredWorkspaceSettings(): string[] {
  if (vscode.workspace.isTrusted) return [];
  const c = vscode.workspace.getConfiguration(SECTION);
  return RESTRICTED_SETTINGS.filter((key) => {
    const i = c.inspect(key);
    return i !== undefined && (i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
  }).map((key) => `${SECTION}.${key}`);
}

/** The sentence that names the ignored settings; '' when none is ignored. */
export function ignoredSettingsNote(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  return vscode.l10n.t(
    'Restricted Mode: the workspace values of {0} are ignored until you trust this workspace.',
    keys.join(', '),
  );
}

/**
 * Logs the ignored settings once and keeps the note for the status bar; the note clears when the writer
 * trusts the workspace (VS Code then applies the workspace values itself).
 */
export class RestrictedModeNotice implements vscode.Disposable {
  private noteText: string;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(log: { warn(message: string): void }) {
    this.noteText = ignoredSettingsNote(ignoredWorkspaceSettings());
    if (this.noteText) log.warn(this.noteText);
    this.sub = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.noteText = '';
      this.changed.fire();
    });
  }

  get note(): string {
    return this.noteText;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
