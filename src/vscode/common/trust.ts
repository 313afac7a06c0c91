// Restricted Mode: in an untrusted workspace VS Code ignores the workspace values of the restricted settings.
// A writer who cloned a repository would otherwise wonder why its judge model or best-of count has no effect,
// so the extension says once, in the log and in the model's status bar tooltip, which values it did not use.
import * as vscode from 'vscode';
import { SECTION } from './config';
import { RESTRICTED_SETTINGS, restrictedKeysIn } from './restricted-settings';

/** Larger settings files are not read for the note (a workspace's files are not trusted to be small). */
const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

async function readSmallFile(uri: vscode.Uri): Promise<string | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type !== vscode.FileType.File || stat.size > MAX_SETTINGS_FILE_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined; // no settings file: nothing set
  }
}

/**
 * `cptWriter.*` keys that the workspace (or a folder of it) sets but that an untrusted workspace may not set.
 * VS Code leaves restricted keys out of an untrusted workspace's configuration (inspect() does not show
 * them), so the folders' .vscode/settings.json and the .code-workspace file are read for them as well.
 */
export async function ignoredWorkspaceSettings(): Promise<string[]> {
  if (vscode.workspace.isTrusted) return [];
  const found = new Set<string>();
  const c = vscode.workspace.getConfiguration(SECTION);
  for (const key of RESTRICTED_SETTINGS) {
    const i = c.inspect(key);
    if (i && (i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined)) found.add(key);
  }
  const files: { uri: vscode.Uri; under?: string }[] = (vscode.workspace.workspaceFolders ?? []).map((f) => ({
    uri: vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'),
  }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== 'untitled') files.push({ uri: workspaceFile, under: 'settings' });
  for (const { uri, under } of files) {
    const text = await readSmallFile(uri);
    if (text !== undefined) for (const key of restrictedKeysIn(text, under)) found.add(key);
  }
  return RESTRICTED_SETTINGS.filter((key) => found.has(key)).map((key) => `${SECTION}.${key}`);
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
 * trusts the workspace (VS Code then applies the workspace values itself). The files are read in the
 * background: `onDidChange` fires when the note is known.
 */
export class RestrictedModeNotice implements vscode.Disposable {
  private noteText = '';
  private trusted = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;
  /** Settles once the note is known (for the tests; the status bar listens to onDidChange). */
  readonly ready: Promise<void>;

  constructor(log: { warn(message: string): void }) {
    this.sub = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.trusted = true;
      this.noteText = '';
      this.changed.fire();
    });
    this.ready = ignoredWorkspaceSettings().then(
      (keys) => {
        if (this.trusted) return;
        this.noteText = ignoredSettingsNote(keys);
        if (!this.noteText) return;
        log.warn(this.noteText);
        this.changed.fire();
      },
      () => undefined,
    );
  }

  get note(): string {
    return this.noteText;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
