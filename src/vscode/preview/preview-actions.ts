// The actions a preview offers, in one list for the CodeLens row above the text and the links in the
// preview zone below it. Each carries the preview's id as its argument, so a click on a stale lens or
// link (a preview that has since been regenerated or closed) does nothing: only an action on the
// preview that is open records a decision about it.
// No `vscode` import: unit-tested in plain Node.
import { keyLabel } from './key-labels';
import type { KeyPlatform, ManifestKeybinding } from './key-labels';
import type { PreviewAction } from './preview-body';

export interface ActionContext {
  phase: 'preparing' | 'streaming' | 'preview';
  /** The id the actions act on (RewriteController checks it). */
  previewId: string | undefined;
  keybindings: readonly ManifestKeybinding[];
  platform: KeyPlatform;
  /** Best-of-N: how many candidates the preview can step through (Previous / Next when more than one). */
  candidates?: number;
}

export function previewActions({ phase, previewId, keybindings, platform, candidates = 1 }: ActionContext): PreviewAction[] {
  const args = previewId ? [previewId] : [];
  const action = (title: string, command: string, tooltip: string): PreviewAction =>
    ({ title, command, args, key: keyLabel(command, keybindings, platform), tooltip });
  if (phase !== 'preview') {
    return [action('Cancel', 'cptWriter.cancelRewrite', 'Stop generating; your text stays as it is')];
  }
  const stepping = candidates > 1 ? [
    action('Previous', 'cptWriter.previousCandidate', 'Show the previous candidate (nothing is recorded)'),
    action('Next', 'cptWriter.nextCandidate', 'Show the next candidate (nothing is recorded)'),
  ] : [];
  return [
    ...stepping,
    action('Accept', 'cptWriter.acceptRewrite', 'Replace the text with the proposal (one undo restores it)'),
    action('Reject', 'cptWriter.rejectRewrite', 'Discard the proposal and record it as rejected'),
    action('Regenerate', 'cptWriter.regenerateRewrite', 'Reject this proposal and make a new one in the same style'),
    { ...action('Compare', 'cptWriter.compareRewrite', 'Show the proposal in place in a side-by-side diff'), key: undefined },
    { ...action('Cancel', 'cptWriter.cancelRewrite', 'Close the preview without recording a decision'), key: undefined },
  ];
}
