// CPT Writer: Generate Preference Data…: core/generate's runGenerate (what `cpt-writer generate` runs)
// from the editor, with the teacher the writer picks, a cancellable progress notification counting the
// outputs, and the report opened in the Markdown preview. Every finished output is on disk the moment it
// is made, so a cancel keeps what was made and running the command again with the same folder continues.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cancellation } from '../common/cancel';
import { displayUrl, generatorFromSpec, type SpecGenerator } from '../../core/endpoint';
import { EngineClient, identifyLoaded, type TextGenerator } from '../../core/engine';
import { GenerateConfigError, parseInput, runGenerate, type GenerateOutcome } from '../../core/generate';
import type { Logger } from '../../core/log';
import type { Rubric } from '../../core/rubrics';
import { readConfig, readLoraAdapters } from '../common/config';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import type { ModelService } from '../model/model-service';
import type { RubricService } from '../rubrics/rubric-service';
import { type GenerateArgs, type GenerateChoices, type Remembered, type TeacherChoice, askChoices } from './choices';

export interface GenerateDeps {
  models: ModelService;
  rubrics: RubricService;
  notifier: Notifier;
  logger: Logger;
  /** Where the last answers are kept (the extension's globalState). */
  memory: vscode.Memento;
}

/** How the command ended: the run's status, or why it did not run. */
export type GenerateCommandResult =
  { status: GenerateOutcome['status']; outcome: GenerateOutcome } | { status: 'not-started'; reason: string };

const MEMORY_KEY = 'cptWriter.generate.last';

/** Requests in flight: a local model answers one at a time; a server takes several (as the CLI's defaults). */
const concurrencyFor = (teacher: TeacherChoice) => (teacher.kind === 'endpoint' ? 4 : 1);

function notStarted(reason: string): GenerateCommandResult {
  return { status: 'not-started', reason };
}

/** The teacher as a TextGenerator, and how it is named in the data; dispose stops a GGUF teacher's own engine. */
async function openTeacher(
  deps: GenerateDeps,
  teacher: TeacherChoice,
  signal: AbortSignal,
  report: (message: string) => void,
): Promise<{ generator: TextGenerator; name: string; dispose(): Promise<void> } | string> {
  if (teacher.kind === 'current') {
    const ready = await deps.models.ensureReady();
    if (!ready) return vscode.l10n.t('the current model could not be loaded (see the message about it)');
    return {
      generator: ready.engine,
      name: `${ready.model.name} (${path.basename(ready.model.file)})`,
      dispose: async () => undefined,
    };
  }
  if (teacher.kind === 'gguf') {
    // The writer's cptWriter.loraAdapters tune their rewriting model, not a teacher chosen by file: that
    // teacher gets only its own cptWriter.teacherLoraAdapters (as the CLI's --teacher-lora).
    const { loraAdapters: lora, loraProblems } = readLoraAdapters(
      vscode.workspace.getConfiguration('cptWriter').get<unknown>('teacherLoraAdapters', []),
      'teacherLoraAdapters',
    );
    if (loraProblems.length) return loraProblems.join('; ');
    report(vscode.l10n.t('loading {0}', path.basename(teacher.spec)));
    const spec: SpecGenerator = await generatorFromSpec(teacher.spec, {
      engine: { ...(await deps.models.engineOptions()), lora },
      signal,
      onLoadProgress: (p) =>
        report(
          p.phase === 'download'
            ? vscode.l10n.t('downloading {0}: {1}%', path.basename(teacher.spec), Math.round(p.fraction * 100))
            : vscode.l10n.t('loading {0}: {1}%', path.basename(teacher.spec), Math.round(p.fraction * 100)),
        ),
    });
    if (!lora.length || !spec.model || !(spec.generator instanceof EngineClient)) return spec;
    try {
      // An adapter asked for and not applied is an error naming both files, never a run without it.
      const id = await identifyLoaded(spec.model, await spec.generator.info(), lora, spec.name);
      // The data names the teacher with its adapters, so two adapters never pass for one teacher.
      return { generator: spec.generator, name: id.label, dispose: () => spec.dispose() };
    } catch (err) {
      await spec.dispose();
      throw err;
    }
  }
  // A server's key comes from VS Code's secret storage (Set API Key…), never from settings or the environment.
  if (teacher.apiKeyEnv)
    return vscode.l10n.t(
      "API keys are kept in VS Code's secret storage, not in environment variables: " +
        'run CPT Writer: Set API Key… for {0}',
      displayUrl(teacher.url),
    );
  const apiKey = await deps.models.context.apiKeys?.get(teacher.url).catch(() => undefined);
  return generatorFromSpec(teacher.url, {
    endpointModel: teacher.model,
    endpointModelFlag: "the server's model name",
    apiKey,
    endpoint: { logger: deps.logger },
    signal,
  });
}

async function loadRubrics(rubrics: RubricService, ids: readonly string[]): Promise<Rubric[] | string> {
  const out: Rubric[] = [];
  for (const id of ids) {
    const r = await rubrics.get(id);
    if (!r) return vscode.l10n.t("there is no rubric '{0}'", id);
    out.push(r);
  }
  return out;
}

function summary(o: GenerateOutcome, dir: string): { severity: 'info' | 'warning' | 'error'; message: string } {
  const made = vscode.l10n.t(
    '{0} of {1} outputs ({2} made now) and {3} pairs in {4}',
    o.present,
    o.planned,
    o.made,
    o.pairs,
    dir,
  );
  switch (o.status) {
    case 'complete':
      return { severity: 'info', message: vscode.l10n.t('CPT Writer: preference data ready: {0}.', made) };
    case 'incomplete':
      return {
        severity: 'warning',
        message: vscode.l10n.t(
          'CPT Writer: {0} of {1} outputs failed (the report lists them); {2}. Run the command again with the ' +
            'same folder to retry them.',
          o.planned - o.present,
          o.planned,
          made,
        ),
      };
    case 'stopped':
      return {
        severity: 'error',
        message: vscode.l10n.t(
          'CPT Writer: generating stopped: {0}. What was made is kept ({1}); run the command again with the same ' +
            'folder to continue.',
          o.stopReason ?? vscode.l10n.t('the teacher failed'),
          made,
        ),
      };
    case 'cancelled':
      return {
        severity: 'info',
        message: vscode.l10n.t(
          'CPT Writer: cancelled. What was made is kept ({0}); run the command again with the same folder to continue.',
          made,
        ),
      };
  }
}

/**
 * Generate Preference Data…: asks for what `args` lacks, runs, shows progress per output, and opens
 * DIR/report.md in the Markdown preview. Resolves with how it ended (tests read it).
 */
export async function generatePreferenceData(
  deps: GenerateDeps,
  args: GenerateArgs = {},
): Promise<GenerateCommandResult> {
  const { notifier, logger } = deps;
  const remembered = deps.memory.get<Remembered>(MEMORY_KEY) ?? {};
  const current = deps.models.status.state === 'none' ? undefined : deps.models.status.name;
  const choices = await askChoices(deps.rubrics, args, current, remembered);
  if (!choices) return notStarted('cancelled before it started');
  await deps.memory.update(MEMORY_KEY, remember(choices, remembered));

  const rubrics = await loadRubrics(deps.rubrics, choices.rubricIds);
  if (typeof rubrics === 'string') return refuse(notifier, rubrics);
  let content: string;
  try {
    content = await readFile(choices.input.file, 'utf8');
  } catch (err) {
    return refuse(notifier, vscode.l10n.t('cannot read {0}: {1}', choices.input.file, errorMessage(err)));
  }
  const input = parseInput(content, choices.input.kind);
  for (const p of input.problems) logger.warn(`${choices.input.file}:${p.line}: ${p.message}`);
  if (!input.tasks.length) {
    const file = choices.input.file;
    const n = input.problems.length;
    const texts = choices.input.kind === 'texts';
    return refuse(
      notifier,
      n === 0
        ? texts
          ? vscode.l10n.t('{0} has no usable passages (it is empty)', file)
          : vscode.l10n.t('{0} has no usable writing prompts (it is empty)', file)
        : n === 1
          ? texts
            ? vscode.l10n.t('{0} has no usable passages (1 bad line: see the log)', file)
            : vscode.l10n.t('{0} has no usable writing prompts (1 bad line: see the log)', file)
          : texts
            ? vscode.l10n.t('{0} has no usable passages ({1} bad lines: see the log)', file, n)
            : vscode.l10n.t('{0} has no usable writing prompts ({1} bad lines: see the log)', file, n),
    );
  }
  if (input.problems.length) {
    notifier.warn(
      input.problems.length === 1
        ? vscode.l10n.t(
            'CPT Writer: 1 line of {0} could not be used (the log names them); the other {1} are.',
            path.basename(choices.input.file),
            input.tasks.length,
          )
        : vscode.l10n.t(
            'CPT Writer: {0} lines of {1} could not be used (the log names them); the other {2} are.',
            input.problems.length,
            path.basename(choices.input.file),
            input.tasks.length,
          ),
    );
  }

  const cfg = readConfig();
  let result: GenerateCommandResult = notStarted('it did not run');
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CPT Writer: generating preference data'),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = cancellation(token, args.signal);
      let teacher: Awaited<ReturnType<typeof openTeacher>> | undefined;
      try {
        teacher = await openTeacher(deps, choices.teacher, abort.signal, (message) => progress.report({ message }));
        if (typeof teacher === 'string') {
          result = refuse(notifier, teacher);
          return;
        }
        const count = input.tasks.length * rubrics.length * choices.levels.length;
        logger.info(
          `generate: teacher ${teacher.name}; ${input.tasks.length} ` +
            `${choices.input.kind === 'texts' ? 'passages' : 'prompts'} × ${rubrics.length} rubric(s) × levels ` +
            `${choices.levels.join(',')} = ${count} outputs → ${choices.outDir}`,
        );
        progress.report({ message: vscode.l10n.t('0 of {0} outputs', count) });
        let reported = 0;
        const outcome = await runGenerate({
          outDir: choices.outDir,
          kind: choices.input.kind,
          tasks: input.tasks,
          rubrics,
          levels: choices.levels,
          // Sampling as for rewrites, so the data's temperature and length are the writer's settings.
          sampling: { temperature: cfg.temperature, maxTokens: cfg.maxTokens },
          concurrency: concurrencyFor(choices.teacher),
          teacher: { generator: teacher.generator, name: teacher.name },
          input: { file: choices.input.file, problems: input.problems },
          signal: abort.signal,
          logger,
          onProgress: (p) => {
            if (!p.item) return;
            const percent = p.total ? Math.round((p.done / p.total) * 100) : 100;
            const counted =
              p.phase === 'directives'
                ? p.failed
                  ? vscode.l10n.t('{0} of {1} directives ({2} failed)', p.done, p.total, p.failed)
                  : vscode.l10n.t('{0} of {1} directives', p.done, p.total)
                : p.failed
                  ? vscode.l10n.t('{0} of {1} outputs ({2} failed)', p.done, p.total, p.failed)
                  : vscode.l10n.t('{0} of {1} outputs', p.done, p.total);
            const item = p.item.ok ? p.item.what : vscode.l10n.t('{0} failed', p.item.what);
            progress.report({
              message: `${counted} · ${item}`,
              increment: Math.max(0, percent - reported),
            });
            reported = Math.max(reported, percent);
            if (!p.item.ok && p.item.message) logger.warn(`generate: ${p.item.what}: ${p.item.message}`);
          },
        });
        result = { status: outcome.status, outcome };
      } catch (err) {
        if (err instanceof GenerateConfigError) {
          result = refuse(
            notifier,
            vscode.l10n.t(
              '{0} holds data made with other settings, so adding to it would mix two data sets: {1}. Choose ' +
                'another output folder, or the settings that data was made with.',
              err.dir,
              err.reasons.join('; '),
            ),
          );
        } else if (abort.signal.aborted) {
          result = notStarted('cancelled');
          notifier.info(vscode.l10n.t('CPT Writer: generating was cancelled before any output was made.'));
        } else {
          result = refuse(notifier, errorMessage(err));
        }
      } finally {
        abort.dispose();
        if (teacher && typeof teacher !== 'string')
          await teacher
            .dispose()
            .catch((err) => logger.warn(`generate: stopping the teacher failed: ${errorMessage(err)}`));
      }
    },
  );
  if (result.status !== 'not-started') {
    const { severity, message } = summary(result.outcome, choices.outDir);
    logger.info(message);
    notifier.show(severity, message);
    await openReport(result.outcome.files.report, logger);
  }
  return result;
}

function refuse(notifier: Notifier, reason: string): GenerateCommandResult {
  notifier.error(vscode.l10n.t('CPT Writer could not generate preference data: {0}', reason));
  return notStarted(reason);
}

function remember(c: GenerateChoices, before: Remembered): Remembered {
  return {
    ...before,
    levels: c.levels.join(','),
    outDir: c.outDir,
    ...(c.teacher.kind === 'endpoint'
      ? { endpointUrl: c.teacher.url, endpointModel: c.teacher.model, apiKeyEnv: c.teacher.apiKeyEnv ?? '' }
      : {}),
  };
}

/** DIR/report.md in VS Code's Markdown preview (its own command; the editor's built-in Markdown extension). */
async function openReport(file: string, logger: Logger): Promise<void> {
  if (!existsSync(file)) return;
  try {
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
  } catch (err) {
    logger.warn(`could not open ${file} in the Markdown preview (${errorMessage(err)}); opening it as text`);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  }
}
