// Which folders rubrics are read from, decided from the settings and the workspace without touching the
// disk or VS Code, so the trust rules are unit-tested in plain Node. A workspace that is not trusted must
// not be able to supply a rubric folder in any way: not its .cpt-writer/rubrics, not a workspace-level
// cptWriter.rubricDirectories, and not a relative user-level entry, which would be resolved against it.
import path from 'node:path';

/** Each workspace folder's own rubric folder. */
export const WORKSPACE_RUBRICS_DIR = path.join('.cpt-writer', 'rubrics');

export interface RubricFolderInput {
  /** cptWriter.rubricDirectories as set in the user's settings. */
  user: readonly string[];
  /** cptWriter.rubricDirectories as set in the workspace's and its folders' settings. */
  workspace: readonly string[];
  /** The local (file:) workspace folders, first one first. */
  workspaceFolders: readonly string[];
  trusted: boolean;
  /** The home folder `~` stands for. */
  home: string;
}

export interface RubricFolderPlan {
  /** Folders to read, in priority order (a later folder cannot redefine an earlier id), each once. */
  folders: string[];
  /** Setting entries left out, each with why, for the log. */
  ignored: { entry: string; reason: string }[];
}

function expandHome(dir: string, home: string): string {
  return dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\') ? path.join(home, dir.slice(1)) : dir;
}

export function planRubricFolders(input: RubricFolderInput): RubricFolderPlan {
  const folders: string[] = [];
  const ignored: RubricFolderPlan['ignored'] = [];
  const base = input.workspaceFolders[0];
  const add = (entry: string, scope: 'user' | 'workspace') => {
    const dir = expandHome(entry.trim(), input.home);
    if (path.isAbsolute(dir)) {
      folders.push(path.normalize(dir));
      return;
    }
    if (!input.trusted) {
      ignored.push({
        entry,
        reason: `a relative ${scope} entry would be read from the workspace, which is not trusted`,
      });
    } else if (!base) {
      ignored.push({ entry, reason: 'a relative entry needs an open folder to be relative to' });
    } else {
      folders.push(path.resolve(base, dir));
    }
  };
  for (const entry of input.user) add(entry, 'user');
  if (input.trusted) {
    for (const f of input.workspaceFolders) folders.push(path.join(f, WORKSPACE_RUBRICS_DIR));
    for (const entry of input.workspace) add(entry, 'workspace');
  } else {
    for (const entry of input.workspace)
      ignored.push({ entry, reason: 'workspace settings are not used in a workspace that is not trusted' });
  }
  return { folders: [...new Set(folders)], ignored };
}
