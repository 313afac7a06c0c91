// The one place the style check starts a rewrite: "Rewrite to level N" on a paragraph opens the normal
// preview for exactly that paragraph. The editor's rewrite controller is being reshaped elsewhere; when its
// entry point moves, only this function is re-pointed.
import * as vscode from 'vscode';
import type { Level } from '../../core/rubrics';
import type { RewriteActions } from '../preview/rewrite-actions';

export async function rewriteRangeToLevel(
  actions: RewriteActions,
  editor: vscode.TextEditor,
  range: vscode.Range,
  rubricId: string,
  level: Level,
): Promise<unknown> {
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  // The current style's other settings stay; only this rewrite aims at the rubric and level given.
  return actions.rewriteWithCurrentStyle({ rubricId, level });
}
