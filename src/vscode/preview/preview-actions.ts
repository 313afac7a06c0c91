// The actions a preview offers, in one list for the CodeLens row above the text and the links in the
// preview zone below it. Each carries the preview's id as its argument, so a click on a stale lens or
// link (a preview that has since been regenerated or closed) does nothing: only an action on the
// preview that is open records a decision about it.
// No `vscode` import: unit-tested in plain Node.
import { keyLabel } from './key-labels';
import type { KeyPlatform, ManifestKeybinding } from './key-labels';
import type { PreviewAction } from './preview-body';
import { english, type Translate } from '../common/translate';

export interface ActionContext {
  phase: 'preparing' | 'streaming' | 'preview';
  /** The id the actions act on (RewriteController checks it). */
  previewId: string | undefined;
  keybindings: readonly ManifestKeybinding[];
  platform: KeyPlatform;
  /** Best-of-N: how many candidates the preview can step through (Previous / Next when more than one). */
  candidates?: number;
}

export function previewActions(
  { phase, previewId, keybindings, platform, candidates = 1 }: ActionContext,
  t: Translate = english,
): PreviewAction[] {
  const args = previewId ? [previewId] : [];
  const action = (title: string, command: string, tooltip: string): PreviewAction => ({
    title,
    command,
    args,
    key: keyLabel(command, keybindings, platform, t),
    tooltip,
  });
  const stepping =
    candidates > 1
      ? [
          action(t('Previous'), 'cptWriter.previousCandidate', t('Show the previous candidate. Nothing is recorded.')),
          action(t('Next'), 'cptWriter.nextCandidate', t('Show the next candidate. Nothing is recorded.')),
        ]
      : [];
  // Best-of-N candidates stream together, so the writer can step between them before they are done.
  if (phase !== 'preview') {
    return [
      ...stepping,
      action(
        t('Cancel'),
        'cptWriter.cancelRewrite',
        t('Stop generating. Nothing is recorded, and your text stays as it is.'),
      ),
    ];
  }
  return [
    ...stepping,
    action(
      t('Accept'),
      'cptWriter.acceptRewrite',
      t(
        'Replace the text with the proposal as shown and record it: accepted when taken whole, edited when you left ' +
          'changes. One undo restores your text.',
      ),
    ),
    action(
      t('Reject'),
      'cptWriter.rejectRewrite',
      t('Close the preview and record the proposal as rejected. Your text stays as it is.'),
    ),
    action(
      t('Regenerate'),
      'cptWriter.regenerateRewrite',
      t('Record this proposal as rejected and make a new one in the same style.'),
    ),
    {
      ...action(
        t('Compare'),
        'cptWriter.compareRewrite',
        t('Show the proposal in place in a side-by-side diff. Nothing is recorded.'),
      ),
      key: undefined,
    },
    // Escape closes a finished preview too: Cancel records nothing, unlike Reject.
    action(
      t('Cancel'),
      'cptWriter.cancelRewrite',
      t('Close the preview. Nothing is recorded, and your text stays as it is.'),
    ),
  ];
}
