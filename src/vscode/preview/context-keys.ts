// The when-clause context keys that gate the preview's keybindings and menus (package.json), kept
// exactly in step with the rewrite session. Setting a context key is a VS Code command ('setContext').
//
// The keys are window-wide, so on their own they would let a preview key act in any editor. The
// keybindings therefore also require `resource in cptWriter.previewResources`: `resource` is the URI of
// the active editor's document, and this key lists the previewed document's URI (set as a Uri, which
// setContext turns into the same string form VS Code gives `resource`, in a remote window too).
import * as vscode from 'vscode';

export interface ContextKeyState {
  /** cptWriter.streaming: a rewrite is being prepared or generated. */
  streaming: boolean;
  /** cptWriter.previewVisible: a finished proposal is shown. */
  previewVisible: boolean;
  /** cptWriter.rewriteActive: either of the above. */
  rewriteActive: boolean;
  /** cptWriter.previewHasChanges: the proposal shown has changes to take or leave one by one. */
  previewHasChanges: boolean;
  /** cptWriter.previewResources: the URI of the document being rewritten, or none. */
  previewResources: string[];
}

const FLAGS = {
  streaming: 'cptWriter.streaming',
  previewVisible: 'cptWriter.previewVisible',
  rewriteActive: 'cptWriter.rewriteActive',
  previewHasChanges: 'cptWriter.previewHasChanges',
} as const;
const RESOURCES = 'cptWriter.previewResources';

export const IDLE_KEYS: Readonly<ContextKeyState> = Object.freeze({
  streaming: false,
  previewVisible: false,
  rewriteActive: false,
  previewHasChanges: false,
  previewResources: [],
});

export class PreviewContextKeys {
  private state: ContextKeyState = { ...IDLE_KEYS, previewResources: [] };

  /** The keys as last set. */
  get current(): Readonly<ContextKeyState> {
    return this.state;
  }

  /** Sets the keys that changed (all of them when `force`); `resource` is the previewed document. */
  async set(
    next: Omit<ContextKeyState, 'previewResources'>,
    resource: vscode.Uri | undefined,
    force = false,
  ): Promise<void> {
    const prev = this.state;
    const resources = resource ? [resource.toString()] : [];
    this.state = { ...next, previewResources: resources };
    const resourceChanged = force || prev.previewResources.join('\n') !== resources.join('\n');
    const setResource = () => vscode.commands.executeCommand('setContext', RESOURCES, resource ? [resource] : []);
    const pending: Thenable<unknown>[] = [];
    // Commands run in the order they are sent: the resource is set before the flags when a rewrite
    // starts, and cleared after them when it ends, so no flag is ever up without the resource that scopes it.
    if (resourceChanged && resource) pending.push(setResource());
    for (const k of Object.keys(FLAGS) as (keyof typeof FLAGS)[]) {
      if (force || prev[k] !== next[k]) pending.push(vscode.commands.executeCommand('setContext', FLAGS[k], next[k]));
    }
    if (resourceChanged && !resource) pending.push(setResource());
    await Promise.all(pending);
  }
}
