// "CPT Writer: Evaluate Model…": the same evaluation as `cpt-writer eval` (core/eval's runEval) on the
// loaded model, with a cancellable progress notification; the report opens in the Markdown preview.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cancellation } from '../common/cancel';
import {
  EvalConfigError,
  EvalStoppedError,
  parseEvalTasks,
  parseEvalTexts,
  runEval,
  type EvalOutcome,
  type EvalText,
} from '../../core/eval';
import { EngineClient, identityLabel } from '../../core/engine';
import type { PromptMode } from '../../core/prompts';
import { LEVELS, type Level, type Rubric } from '../../core/rubrics';
import { readConfig } from '../common/config';
import type { Services } from '../services';
import { loadedModelIdentity } from '../model/loaded-identity';
import { openReport, tellOutcome } from './eval-outcome';

/** Arguments that skip the pickers (tests, tasks, keybindings). */
export interface EvaluateArgs {
  rubricIds?: string[];
  levels?: Level[];
  /** A JSONL texts file; default: the evaluation set shipped with the extension. */
  texts?: string;
  /**
   * Instead of passages, a JSONL file of writing prompts (`{"id","prompt"}`, generate's input) to write from
   * under each style: free writing, the paper's setting, as `cpt-writer eval --tasks`.
   */
  tasks?: string;
  /** Where the report goes (a fresh folder in the workspace storage by default). */
  outDir?: string;
  mode?: PromptMode | 'both';
  samples?: number;
  maxTokens?: number;
  /** Don't open the report (tests that check files only). */
  noOpen?: boolean;
}

export interface EvaluateDeps {
  services: Services;
  /** Where reports go when the writer does not pick a folder: the workspace storage, else the global storage. */
  storageDir: string;
  /** The extension's samples/eval/texts.jsonl. */
  defaultTexts: string;
}

/** The deps from the services: reports in the workspace's storage (else the global one), the shipped evaluation set. */
export function evaluateDeps(services: Services): EvaluateDeps {
  const { globalStorage, workspaceStorage, extensionRoot } = services.paths;
  return {
    services,
    storageDir: workspaceStorage ?? globalStorage,
    defaultTexts: path.join(extensionRoot, 'samples', 'eval', 'texts.jsonl'),
  };
}

export function parseEvaluateArgs(args: unknown[]): EvaluateArgs {
  const a = args[0];
  return a && typeof a === 'object' && !Array.isArray(a) && !(a instanceof vscode.Uri) ? (a as EvaluateArgs) : {};
}

type RubricItem = vscode.QuickPickItem & { rubric: Rubric };
type LevelItem = vscode.QuickPickItem & { level: Level };

async function pickRubrics(list: readonly Rubric[], current: string): Promise<Rubric[] | undefined> {
  const items: RubricItem[] = list.map((r) => ({
    label: r.title,
    description: r.id,
    detail: r.summary,
    rubric: r,
    picked: r.id === current,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('CPT Writer: Evaluate Model (1/3): rubrics'),
    placeHolder: vscode.l10n.t('Which styles should the model be measured on?'),
    canPickMany: true,
    matchOnDetail: true,
  });
  return picked?.map((i) => i.rubric);
}

async function pickLevels(): Promise<Level[] | undefined> {
  const items: LevelItem[] = LEVELS.map((level) => ({
    label: vscode.l10n.t('Level {0}', level),
    description: vscode.l10n.t('target score {0}', level * 20 - 10),
    level,
    picked: level % 2 === 1,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('CPT Writer: Evaluate Model (2/3): levels'),
    placeHolder: vscode.l10n.t(
      "Levels to request (1, 3, 5 are the CPT paper's; 3-level and 5-level results are not comparable)",
    ),
    canPickMany: true,
  });
  return picked?.map((i) => i.level);
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

async function pickOutDir(storageDir: string): Promise<string | undefined> {
  const here = path.join(storageDir, 'evaluations', `eval-${stamp()}`);
  const choice = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Extension storage'), description: here, dir: here },
      {
        label: vscode.l10n.t('Choose a folder…'),
        description: vscode.l10n.t('samples.jsonl and the report go there; a folder with samples resumes'),
        dir: '',
      },
    ],
    { title: vscode.l10n.t('CPT Writer: Evaluate Model (3/3): where the report goes') },
  );
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const uri = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Write the evaluation here'),
  });
  return uri?.[0]?.fsPath;
}

async function readTexts(file: string, kind: 'texts' | 'tasks'): Promise<EvalText[]> {
  const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  const { texts, problems } = kind === 'tasks' ? parseEvalTasks(content) : parseEvalTexts(content);
  if (!texts.length)
    throw new EvalConfigError(
      `nothing to evaluate: ${file} has no usable ${kind === 'tasks' ? 'writing prompts' : 'passages'}` +
        `${problems.length ? ` (line ${problems[0].line}: ${problems[0].message})` : ' (it is empty)'}`,
    );
  return texts;
}

/** Runs the evaluation; resolves to the outcome, or undefined when the writer backed out before it began. */
export async function evaluateModel(deps: EvaluateDeps, args: EvaluateArgs = {}): Promise<EvalOutcome | undefined> {
  const { services } = deps;
  if (args.texts && args.tasks) throw new EvalConfigError('give texts or tasks, not both');
  const kind = args.tasks ? 'tasks' : 'texts';
  const { rubrics: all, problems } = await services.rubrics.list();
  services.rubrics.reportProblems(problems);
  let rubrics: Rubric[] | undefined;
  if (args.rubricIds) {
    const missing = args.rubricIds.filter((id) => !all.some((r) => r.id === id));
    if (missing.length)
      throw new Error(
        `unknown rubric ${missing.map((id) => `'${id}'`).join(', ')}; known rubrics: ` +
          `${all.map((r) => r.id).join(', ')}`,
      );
    rubrics = args.rubricIds.map((id) => all.find((r) => r.id === id)!);
  } else {
    rubrics = await pickRubrics(all, services.style.get().rubricId);
  }
  if (!rubrics?.length) return undefined;
  const levels = args.levels ?? (await pickLevels());
  if (!levels?.length) return undefined;
  const outDir = args.outDir ?? (await pickOutDir(deps.storageDir));
  if (!outDir) return undefined;

  let textsFile = args.tasks ?? args.texts ?? (existsSync(deps.defaultTexts) ? deps.defaultTexts : undefined);
  if (!textsFile) {
    const uri = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: vscode.l10n.t('Evaluate on these passages'),
      filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'] },
    });
    textsFile = uri?.[0]?.fsPath;
    if (!textsFile) return undefined;
  }
  const texts = await readTexts(textsFile, kind);

  const ready = await services.models.ensureReady();
  if (!ready) return undefined; // the model service told the writer why
  const cfg = readConfig();
  const modes: PromptMode[] = args.mode === 'both' ? ['directive', 'rubric'] : [args.mode ?? services.promptMode()];
  // cptWriter.judgeModel: empty = the rewriting model judges; another model is the judge service's
  // second engine process, started only when the first rewrite needs judging.
  const borrowed = await services.judge.borrowSecond();
  const judge = borrowed?.judge;
  // Samples carry the model's content fingerprint and its adapters, as the CLI's do: rows, resumes and
  // duplicates go by content, and a base run and an adapter run into one folder stay two rows.
  const identity = await loadedModelIdentity(services.models, ready.model);
  const modelName = identityLabel(
    `${ready.model.name} (${path.basename(ready.model.file)})`,
    (identity?.adapters ?? []).map((a) => ({ label: path.basename(a.label), scale: a.scale })),
  );
  // The over-long rule up front, as in the CLI: the real engine counts every prompt before anything is
  // generated, so a passage that cannot fit the context with the token limit is skipped, not tried.
  const counter = ready.engine instanceof EngineClient ? ready.engine : undefined;
  const contextSize = counter ? (await counter.info()).contextSize : undefined;
  services.logger.info(
    `evaluating ${modelName} on ${rubrics.map((r) => r.id).join(', ')}, levels ${levels.join(',')}, ` +
      `${texts.length} ${kind === 'tasks' ? 'writing prompts' : 'passages'} → ${outDir}`,
  );

  try {
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('CPT Writer: evaluating {0}', ready.model.name),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = cancellation(token);
        let shown = 0;
        try {
          return await runEval({
            outDir,
            rubrics: rubrics!,
            texts,
            kind,
            levels,
            modes,
            samples: args.samples ?? 1,
            judge,
            logger: services.logger,
            signal: abort.signal,
            sampling: { temperature: cfg.temperature, maxTokens: args.maxTokens ?? cfg.maxTokens },
            models: [
              {
                label: modelName,
                // The model service owns the engine: the evaluation borrows it and leaves it loaded.
                open: async () => ({
                  generator: ready.engine,
                  name: modelName,
                  ...(identity ? { fingerprint: identity.fingerprint, adapters: identity.adapters } : {}),
                  ...(counter && contextSize !== undefined
                    ? {
                        contextSize,
                        countTokens: async (system: string, user: string) =>
                          (await counter.promptTokens(system, user)).tokens,
                      }
                    : {}),
                  ref: ready.model,
                  dispose: async () => undefined,
                }),
              },
            ],
            onProgress: (p) => {
              const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
              const message =
                p.etaSeconds !== undefined
                  ? vscode.l10n.t(
                      '{0} of {1} samples, about {2} min left',
                      p.done,
                      p.total,
                      Math.ceil(p.etaSeconds / 60),
                    )
                  : vscode.l10n.t('{0} of {1} samples', p.done, p.total);
              progress.report({ message, increment: Math.max(0, pct - shown) });
              shown = Math.max(shown, pct);
            },
          });
        } finally {
          abort.dispose();
        }
      },
    );
    services.logger.info(
      `evaluation ${outcome.status}: ${outcome.present} of ${outcome.planned} samples in ${outcome.files.samples}`,
    );
    tellOutcome(outcome, outDir, kind, services);
    if (!args.noOpen && outcome.present > 0) await openReport(outcome.files.md, services);
    return outcome;
  } catch (err) {
    if (err instanceof EvalConfigError || err instanceof EvalStoppedError) {
      services.logger.error(err.message);
      services.notifier.error(vscode.l10n.t('CPT Writer: {0}', err.message));
      return undefined;
    }
    throw err;
  } finally {
    await borrowed?.release();
  }
}
