// Rubrics from the built-in folder, each workspace folder's .cpt-writer/rubrics and cptWriter.rubricDirectories.
// Workspace folders, workspace-level rubricDirectories and relative entries are read only in a trusted workspace.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { errorProblems, formatProblem, loadRubrics } from '../../core/rubrics';
import { planRubricFolders, type RubricFolderPlan } from '../../core/rubrics/folders';
import type { Rubric, RubricLoadResult, RubricProblem } from '../../core/rubrics';
import type { Logger } from '../../core/log';
import { configuredRubricDirectories } from '../common/config';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';

/**
 * The folders to read and the setting entries left out (planRubricFolders has the trust rules), and the
 * entries that are not folder paths at all (`problems`, each naming the setting).
 */
export function rubricFolderPlan(trusted: boolean): RubricFolderPlan & { problems: string[] } {
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => f.uri.fsPath);
  const { problems, ...configured } = configuredRubricDirectories();
  return { ...planRubricFolders({ ...configured, workspaceFolders, trusted, home: os.homedir() }), problems };
}

/** The folders to read, in priority order (a later folder cannot redefine an earlier id). */
export function rubricFolders(trusted: boolean): string[] {
  return rubricFolderPlan(trusted).folders;
}

function isWorkspaceRubricFile(uri: vscode.Uri): boolean {
  return /\/\.cpt-writer\/rubrics\/[^/]+\.ya?ml$/i.test(uri.path);
}

export class RubricService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RubricLoadResult>();
  readonly onDidChange = this.changed.event;
  private cached: Promise<RubricLoadResult> | undefined;
  private latestResult: RubricLoadResult = { rubrics: [], problems: [] };
  private lastReported = '';
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly notifier: Notifier,
  ) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.invalidate();
      }),
      // A second signal besides the file watcher: a watcher set up before .cpt-writer/rubrics existed
      // was seen not to fire in code-server once the folder was created.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (isWorkspaceRubricFile(d.uri)) this.invalidate();
      }),
      vscode.workspace.onDidCreateFiles((e) => {
        if (e.files.some(isWorkspaceRubricFile)) this.invalidate();
      }),
      vscode.workspace.onDidDeleteFiles((e) => {
        if (e.files.some(isWorkspaceRubricFile)) this.invalidate();
      }),
      vscode.workspace.onDidRenameFiles((e) => {
        if (e.files.some((f) => isWorkspaceRubricFile(f.oldUri) || isWorkspaceRubricFile(f.newUri))) this.invalidate();
      }),
    );
    this.watch();
  }

  /** Watches each workspace folder's rubric files so edits show up without a reload. */
  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const w = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(f, '.cpt-writer/rubrics/*.{yaml,yml}'),
      );
      const again = () => this.invalidate();
      this.watchers.push(w, w.onDidCreate(again), w.onDidChange(again), w.onDidDelete(again));
    }
  }

  /** Forgets the cache and reloads (settings, trust, folders or files changed). */
  invalidate(): void {
    this.cached = undefined;
    void this.list().then(
      (r) => this.changed.fire(r),
      () => undefined,
    );
  }

  /** All valid rubrics plus the problems of invalid files; cached until something changes. */
  list(): Promise<RubricLoadResult> {
    if (!this.cached) {
      const trusted = vscode.workspace.isTrusted;
      const plan = rubricFolderPlan(trusted);
      for (const p of plan.problems) this.logger.warn(`rubrics: ${p}; the entry is left out`);
      for (const i of plan.ignored)
        this.logger.warn(`rubrics: cptWriter.rubricDirectories entry ${JSON.stringify(i.entry)} ignored: ${i.reason}`);
      this.cached = loadRubrics({ extraDirs: plan.folders }).then(
        (r) => {
          this.logger.info(
            `rubrics: ${r.rubrics.length} loaded (${r.rubrics.map((x) => x.id).join(', ')}), ${r.problems.length} ` +
              `problem(s)${trusted ? '' : '; workspace rubric folders skipped (untrusted workspace)'}`,
          );
          for (const p of r.problems) {
            if (p.severity === 'warning') this.logger.warn(`rubric warning: ${formatProblem(p)}`);
            else this.logger.error(`rubric problem: ${formatProblem(p)}`);
          }
          this.latestResult = r;
          return r;
        },
        (err) => {
          this.logger.error(`loading rubrics failed: ${errorMessage(err)}`);
          this.cached = undefined;
          return { rubrics: [], problems: [{ file: '(rubrics)', line: 1, col: 1, message: errorMessage(err) }] };
        },
      );
    }
    return this.cached;
  }

  /** The last loaded result (empty until the first load finishes), for synchronous readers. */
  get latest(): RubricLoadResult {
    return this.latestResult;
  }

  async get(id: string): Promise<Rubric | undefined> {
    return (await this.list()).rubrics.find((r) => r.id === id);
  }

  /**
   * Tells the writer about broken rubric files (FILE:LINE:COL each) once per distinct set of problems;
   * valid rubrics stay usable. Returns the message, or undefined when there was nothing new to say.
   */
  reportProblems(all: RubricProblem[], force = false): string | undefined {
    const problems = errorProblems(all);
    if (problems.length === 0) {
      this.lastReported = '';
      return undefined;
    }
    const lines = problems.map(formatProblem);
    const signature = lines.join('\n');
    if (!force && signature === this.lastReported) return undefined;
    this.lastReported = signature;
    const first = lines.slice(0, 3).join('; ');
    const shown = lines.length > 3 ? vscode.l10n.t('{0}; and {1} more', first, lines.length - 3) : first;
    const message =
      problems.length === 1
        ? vscode.l10n.t('CPT Writer: 1 rubric problem (the other rubrics still work): {0}', shown)
        : vscode.l10n.t('CPT Writer: {0} rubric problems (the other rubrics still work): {1}', problems.length, shown);
    this.notifier.error(message);
    return message;
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
