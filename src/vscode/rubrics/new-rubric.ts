// "New rubric…": writes a valid, commented rubric template into the workspace's .cpt-writer/rubrics/
// and opens it. The extension's rubric watcher picks the file up, so it shows in the picker at once,
// and any mistake the writer makes while editing shows in the sidebar's problem list.
import * as vscode from 'vscode';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import type { RubricService } from './rubric-service';

/** A rubric id from a title: words of a-z and 0-9 joined by single hyphens (ID_PATTERN), never empty. */
export function rubricIdFromTitle(title: string): string {
  // Trimmed after the cut too, which can end on a hyphen.
  const id = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return id || 'my-style';
}

/** The template's text; valid as written (5 level names, weights summing to 100). */
export function rubricTemplate(id: string, title: string): string {
  const q = (s: string) => JSON.stringify(s);
  return `# A CPT Writer rubric: a named style, described at 5 levels. Saved changes reload at once;
# problems show in the CPT Writer sidebar. Level 1 is the lowest, level 5 the highest.
id: ${id}
title: ${q(title)}
summary: ${q(`What "${title}" means, in one sentence the writer reads in the picker.`)}
levels: [Minimal, Light, Moderate, Strong, Maximal]   # exactly 5 names, level 1 → 5
criteria:                                            # weights sum to 100
  - name: Main quality
    weight: 60
    levels:
      - Hardly any of the quality.
      - A little of the quality.
      - A balanced amount of the quality.
      - Much of the quality.
      - The quality in every sentence.
  - name: Second quality
    weight: 40
    levels:
      - None.
      - Occasionally.
      - Often.
      - Usually.
      - Always.
scoring: Notes for the judge that scores a text 0-100 against this rubric.
# Optional: the short CPT system prompt per level (at most 256 tokens); missing levels are derived.
# directives:
#   1: Rewrite the text with hardly any of the quality.
#   5: Rewrite the text with the quality in every sentence.
`;
}

/**
 * Asks for a title, creates `<workspace>/.cpt-writer/rubrics/<id>.yaml` (never overwriting: a taken
 * name or an id in `takenIds`, e.g. the loaded rubrics' ids, gets a numeric suffix) and opens it.
 * Returns the new file, or undefined when the writer cancelled. Throws a clear error when no folder
 * is open.
 */
export async function createRubricTemplate(
  options: { folder?: vscode.Uri; takenIds?: Iterable<string> } = {},
): Promise<vscode.Uri | undefined> {
  const root = options.folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const taken = new Set(options.takenIds ?? []);
  if (!root)
    throw new Error(vscode.l10n.t('Open a folder first: new rubrics are created in its .cpt-writer/rubrics/ folder.'));
  const title = await vscode.window.showInputBox({
    title: vscode.l10n.t('New Rubric'),
    prompt: vscode.l10n.t("The style's name, as it appears in the picker"),
    placeHolder: vscode.l10n.t('e.g. Warmth'),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name')),
  });
  if (title === undefined) return undefined;
  const dir = vscode.Uri.joinPath(root, '.cpt-writer', 'rubrics');
  await vscode.workspace.fs.createDirectory(dir);
  const base = rubricIdFromTitle(title.trim());
  for (let n = 1; n < 1000; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    const file = vscode.Uri.joinPath(dir, `${id}.yaml`);
    if (taken.has(id) || (await exists(file))) continue;
    await vscode.workspace.fs.writeFile(file, Buffer.from(rubricTemplate(id, title.trim()), 'utf8'));
    await vscode.window.showTextDocument(file);
    return file;
  }
  throw new Error(vscode.l10n.t('Could not find a free file name for {0}.yaml in {1}', base, dir.fsPath));
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** New Rubric…: the template under an id no loaded rubric has, then a reload; errors are shown, not thrown. */
export async function newRubric(rubrics: RubricService, notifier: Notifier): Promise<vscode.Uri | undefined> {
  try {
    const uri = await createRubricTemplate({ takenIds: (await rubrics.list()).rubrics.map((r) => r.id) });
    // The folder may not have existed when the watcher was set up; reload now rather than wait for it.
    if (uri) rubrics.invalidate();
    return uri;
  } catch (err) {
    notifier.error(vscode.l10n.t('CPT Writer: {0}', errorMessage(err)));
    return undefined;
  }
}
