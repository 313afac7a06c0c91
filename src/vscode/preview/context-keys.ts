// The when-clause context keys that gate the preview's keybindings and menus (package.json), kept
// exactly in step with the rewrite session. Setting a context key is a VS Code command ('setContext').
import * as vscode from 'vscode';

export interface ContextKeyState {
  /** cptWriter.streaming: a rewrite is being prepared or generated. */
  streaming: boolean;
  /** cptWriter.previewVisible: a finished proposal is shown. */
  previewVisible: boolean;
  /** cptWriter.rewriteActive: either of the above. */
  rewriteActive: boolean;
}

const KEYS: Record<keyof ContextKeyState, string> = {
  streaming: 'cptWriter.streaming',
  previewVisible: 'cptWriter.previewVisible',
  rewriteActive: 'cptWriter.rewriteActive',
};

export class PreviewContextKeys {
  private state: ContextKeyState = { streaming: false, previewVisible: false, rewriteActive: false };

  /** The keys as last set. */
  get current(): Readonly<ContextKeyState> {
    return this.state;
  }

  /** Sets the keys that changed (all of them when `force`). */
  async set(next: ContextKeyState, force = false): Promise<void> {
    const prev = this.state;
    this.state = { ...next };
    await Promise.all((Object.keys(KEYS) as (keyof ContextKeyState)[])
      .filter((k) => force || prev[k] !== next[k])
      .map((k) => vscode.commands.executeCommand('setContext', KEYS[k], next[k])));
  }
}
