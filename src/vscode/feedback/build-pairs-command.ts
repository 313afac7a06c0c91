// Build Preference Pairs from Feedback: pick the logs (the current one by default), where to save, and
// optionally the flat / KTO files, a test split and a dataset card; then run the same core job as
// `cpt-writer pairs` and show its Markdown report. Three Enters for the common case.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetCardPath, exportPairs, plannedOutputs } from '../../core/pairs';
import type { ExportPairsOptions, ExportPairsResult } from '../../core/pairs';
import { readConfig } from '../common/config';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import { CptError } from '../../core/errors';

/** Arguments that skip the dialogs (tests, tasks, keybindings). With `out`, nothing is asked. */
export interface BuildPairsArgs {
  logs?: string[];
  out?: string;
  /** A path, or true for `<out>.flat.jsonl` beside the pairs file. */
  flat?: string | boolean;
  /** A path, or true for `<out>.kto.jsonl`. */
  kto?: string | boolean;
  split?: { testFraction: number; seed: number };
  /** A path, or true for README.md beside the pairs file: a dataset card (as `cpt-writer pairs --card`). */
  card?: string | boolean;
  /** Open the Markdown report (default true). */
  showReport?: boolean;
}

export interface BuildPairsResult {
  pairs: number;
  unpaired: number;
  outputs: ExportPairsResult['outputs'];
  report: string;
  /** The untitled Markdown document holding the report, when shown. */
  reportUri?: string;
}

export interface BuildPairsDeps {
  notifier: Notifier;
  /** The current log's path (cptWriter.feedback.path or the global-storage default). */
  currentLog(): string;
  /** Writes everything recorded so far, pending edits included, before the logs are read. */
  flush(): Promise<void>;
}

const DEFAULT_SPLIT = { testFraction: 0.1, seed: 0 };

class UserError extends CptError<'USER'> {
  constructor(message: string) {
    super('USER', message);
    this.name = 'UserError';
  }
}

/** out.jsonl → out.flat.jsonl / out.kto.jsonl */
export function siblingPath(out: string, tag: string): string {
  const { dir, name, ext } = path.parse(out);
  return path.join(dir, `${name}.${tag}${ext || '.jsonl'}`);
}

export function parseBuildPairsArgs(value: unknown): BuildPairsArgs | undefined {
  if (!value || typeof value !== 'object' || value instanceof vscode.Uri) return undefined;
  const o = value as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  const strOrTrue = (v: unknown) => (v === true ? true : str(v));
  const split = o.split as { testFraction?: unknown; seed?: unknown } | undefined;
  return {
    logs: Array.isArray(o.logs)
      ? o.logs.filter((l): l is string => typeof l === 'string' && l.trim() !== '')
      : undefined,
    out: str(o.out),
    flat: strOrTrue(o.flat),
    kto: strOrTrue(o.kto),
    card: strOrTrue(o.card),
    split:
      split && typeof split.testFraction === 'number'
        ? { testFraction: split.testFraction, seed: typeof split.seed === 'number' ? split.seed : 0 }
        : undefined,
    showReport: o.showReport !== false,
  };
}

async function pickLogs(current: string): Promise<string[] | undefined> {
  const size = await fs.stat(current).then(
    (s) => s.size,
    () => undefined,
  );
  const items: (vscode.QuickPickItem & { other?: boolean })[] = [
    {
      label: `$(output) ${vscode.l10n.t('Current feedback log')}`,
      description: current,
      detail:
        size === undefined
          ? vscode.l10n.t('Nothing recorded yet')
          : vscode.l10n.t('{0} KB', Math.max(1, Math.round(size / 1024))),
    },
    {
      label: `$(folder-opened) ${vscode.l10n.t('Choose other logs…')}`,
      description: vscode.l10n.t('one or more JSONL feedback logs, e.g. backups or logs from other machines'),
      other: true,
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Build Preference Pairs (1/3): which feedback?'),
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (!picked.other) return [current];
  const uris = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Feedback logs to build pairs from'),
    canSelectMany: true,
    canSelectFiles: true,
    canSelectFolders: false,
    defaultUri: vscode.Uri.file(path.dirname(current)),
    filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return uris?.length ? uris.map((u) => u.fsPath) : undefined;
}

async function pickOut(firstLog: string): Promise<string | undefined> {
  // The workspace is where a writer keeps their project; without one, beside the log.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  const uri = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Build Preference Pairs (2/3): save the pairs (JSONL, TRL conversational preference format)'),
    defaultUri: vscode.Uri.file(path.join(folder ?? path.dirname(firstLog), 'pairs.jsonl')),
    filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'] },
  });
  return uri?.fsPath;
}

type Extras = Pick<BuildPairsArgs, 'flat' | 'kto' | 'split' | 'card'>;

async function pickExtras(out: string): Promise<Extras | undefined> {
  type Extra = vscode.QuickPickItem & { key: 'flat' | 'kto' | 'split' | 'card' };
  const items: Extra[] = [
    {
      key: 'flat',
      label: vscode.l10n.t('Flat pairs file'),
      description: path.basename(siblingPath(out, 'flat')),
      detail: vscode.l10n.t('prompt / chosen / rejected as plain strings'),
    },
    {
      key: 'kto',
      label: vscode.l10n.t('KTO file'),
      description: path.basename(siblingPath(out, 'kto')),
      detail: vscode.l10n.t('decisions that formed no pair, labelled good or bad'),
    },
    {
      key: 'split',
      label: vscode.l10n.t('Hold out a test split ({0}%)', DEFAULT_SPLIT.testFraction * 100),
      description: path.basename(siblingPath(out, 'test')),
      detail: vscode.l10n.t('everything about one original text stays on one side'),
    },
    {
      key: 'card',
      label: vscode.l10n.t('Dataset card'),
      description: path.basename(datasetCardPath(out)),
      detail: vscode.l10n.t(
        'README.md a dataset hub reads: splits, rubrics, levels, counts, models; never your own README',
      ),
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Build Preference Pairs (3/3): extra outputs (optional; press Enter to build)'),
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const has = (k: Extra['key']) => picked.some((p) => p.key === k);
  return { flat: has('flat'), kto: has('kto'), split: has('split') ? DEFAULT_SPLIT : undefined, card: has('card') };
}

/** The CLI's rules: every log named must be readable, and no output may overwrite a log or another output. */
async function checkPlan(options: ExportPairsOptions): Promise<void> {
  for (const log of options.logs) {
    const stat = await fs.stat(log).catch((err: NodeJS.ErrnoException) => {
      throw new UserError(
        err.code === 'ENOENT'
          ? vscode.l10n.t('there is no feedback log at {0} (nothing recorded yet?)', log)
          : vscode.l10n.t('cannot read {0}: {1}', log, err.message),
      );
    });
    if (!stat.isFile()) throw new UserError(vscode.l10n.t('{0} is not a file', log));
  }
  const inputs = new Set(options.logs.map((l) => path.resolve(l)));
  const seen = new Set<string>();
  for (const o of plannedOutputs(options)) {
    const abs = path.resolve(o);
    if (inputs.has(abs))
      throw new UserError(
        vscode.l10n.t('the output {0} is one of the logs; choose another file so the log is not overwritten', o),
      );
    if (seen.has(abs)) throw new UserError(vscode.l10n.t('the output {0} is named twice', o));
    seen.add(abs);
  }
}

export async function buildPreferencePairs(deps: BuildPairsDeps, raw?: unknown): Promise<BuildPairsResult | undefined> {
  const args = parseBuildPairsArgs(raw) ?? {};
  await deps.flush();
  const current = deps.currentLog();
  const logs = args.logs?.length ? args.logs : args.out ? [current] : await pickLogs(current);
  if (!logs) return undefined;
  const out = args.out ?? (await pickOut(logs[0]));
  if (!out) return undefined;
  const extras = args.out ? args : await pickExtras(out);
  if (!extras) return undefined;
  const options: ExportPairsOptions = {
    logs,
    out,
    flat: extras.flat === true ? siblingPath(out, 'flat') : extras.flat || undefined,
    kto: extras.kto === true ? siblingPath(out, 'kto') : extras.kto || undefined,
    split: extras.split,
    card: extras.card === true ? datasetCardPath(out) : extras.card || undefined,
    contrastCap: readConfig().pairsContrastCap,
  };
  if (
    options.split &&
    !(options.split.testFraction > 0 && options.split.testFraction < 1 && Number.isSafeInteger(options.split.seed))
  ) {
    deps.notifier.error(
      vscode.l10n.t(
        'CPT Writer: the test split must be a fraction between 0 and 1 with an integer seed, got {0}.',
        JSON.stringify(options.split),
      ),
    );
    return undefined;
  }

  let exported: ExportPairsResult;
  try {
    await checkPlan(options);
    exported = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('CPT Writer: building preference pairs…'),
      },
      () => exportPairs(options),
    );
  } catch (err) {
    const what = err instanceof UserError ? err.message : errorMessage(err);
    deps.notifier.error(
      vscode.l10n.t('CPT Writer could not build preference pairs: {0}. Nothing in your logs was changed.', what),
    );
    return undefined;
  }

  const pairs = exported.result.pairs.length;
  const unpaired = exported.result.unpaired.length;
  let reportUri: string | undefined;
  if (args.showReport !== false) {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: exported.report });
    await vscode.window.showTextDocument(doc, { preview: true });
    reportUri = doc.uri.toString();
  }
  const skipped = exported.logs.reduce((n, l) => n + l.skipped.length, 0);
  const written =
    pairs === 0
      ? vscode.l10n.t(
          'CPT Writer: 0 preference pairs written to {0} (accept, reject, regenerate or edit more rewrites to get ' +
            'pairs)',
          out,
        )
      : pairs === 1
        ? vscode.l10n.t('CPT Writer: 1 preference pair written to {0}', out)
        : vscode.l10n.t('CPT Writer: {0} preference pairs written to {1}', pairs, out);
  const skippedNote = !skipped
    ? ''
    : skipped === 1
      ? vscode.l10n.t('; 1 unreadable log line was skipped (see the report)')
      : vscode.l10n.t('; {0} unreadable log lines were skipped (see the report)', skipped);
  deps.notifier.info(`${written}${skippedNote}.`, {
    title: vscode.l10n.t('Open Pairs File'),
    run: () => vscode.window.showTextDocument(vscode.Uri.file(out), { preview: true }),
  });
  return { pairs, unpaired, outputs: exported.outputs, report: exported.report, reportUri };
}
