// `cpt-writer eval`: does the judged score follow the requested level? Rewrites every passage at every
// level with each model, judges each rewrite, and reports accuracy, Kendall's τ-b, Spearman's ρ and order
// accuracy per model × mode; `--report` recomputes the same from saved samples alone.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { bestOfArg, modelVariants, modesArg } from './eval-args';
import { printSummary, progressPrinter } from './eval-output';
import { reportOnly } from './eval-report';
import { decimal, levelsArg, wholeNumber } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptionsFrom, loraArg, modelLabelArg } from '../engine-args';
import { keyFromEnvFlag, openJudge } from '../judge-args';
import { findRubrics } from '../rubric-args';
import { displayUrl, generatorFromSpec, isEndpointSpec } from '../../core/endpoint';
import { ENDPOINT_FLAGS, ENDPOINT_USAGE, endpointOptionsFrom } from '../endpoint-args';
import { EngineClient, identifyLoaded, isTestModel, type LoadProgress } from '../../core/engine';
import { errorMessage } from '../../core/errors';
import { MAX_ATTEMPTS, givenUpLine } from '../../core/jsonl/attempts';
import {
  EvalConfigError,
  EvalStoppedError,
  parseEvalTasks,
  parseEvalTexts,
  runEval,
  skippedTextsLine,
} from '../../core/eval';
import { DEFAULT_MAX_CRITIQUE_CHARS, LazyGenerator, MAX_CRITIQUE_CHARS } from '../../core/judge';
import { stderrLogger } from '../../core/log';
import { MAX_BEST_OF } from '../../core/rewrite';
import type { Level } from '../../core/rubrics';

const DEFAULT_TEXTS = path.join('samples', 'eval', 'texts.jsonl');

const USAGE =
  `usage: cpt-writer eval --model SPEC [--model SPEC ...] --rubric ID... --out DIR [options]
       cpt-writer eval --report FILE... [--out DIR2]

Rewrites every passage × rubric × level (× sample) with each model, through the same prompts the
extension sends, has a judge score each rewrite from 0 to 100 against the rubric, and appends one line
per result to DIR/samples.jsonl as it finishes. Running the same command again does only what is
missing. Writes DIR/report.json, DIR/report.md and DIR/report.svg: accuracy, Kendall's tau-b,
Spearman's rho and order accuracy per model and prompt mode, pooled and per rubric.

  --model SPEC[=LABEL]   a .gguf path, an https: URL of a .gguf, or an hf: URI; repeat to compare
                         models (each is loaded in turn). A row is named by the path as given, or by
                         LABEL; models are told apart by their content fingerprint, so two files with
                         one name are two rows and one file by two paths is evaluated once
  --lora PATH[:S]        a LoRA adapter GGUF for every --model (scale S, default 1; repeatable). It
                         never reaches the judge. An adapter that does not fit is an error
  --with-base            with --lora: also evaluate each model without its adapters, so base and
                         base + adapter are rows side by side in one run
  --judge-lora PATH[:S]  a LoRA adapter for the judge model (repeatable)
  --judge-model SPEC|URL the judge (default: each model judges its own rewrites); a .gguf, or the API
                         root of an OpenAI-compatible server. A second local model costs its own memory
                         and is loaded when the first rewrite needs judging
  --judge-endpoint-model NAME   the model name a judge endpoint serves
  --judge-api-key-env VAR       the environment variable that holds the judge endpoint's key
${ENDPOINT_USAGE}
  --rubric ID            a rubric id (repeatable; see 'cpt-writer rubrics')
  --texts FILE           passages: JSONL {"id","register","languageId","text"} or one a line
                         (default ${DEFAULT_TEXTS})
  --tasks FILE           instead of passages, free writing (the paper's setting): writing prompts as
                         generate reads them, JSONL {"id","prompt"}; each prompt is the user message
                         under the style's system prompt, and its samples are rows of their own
                         ("directive, tasks")
  --levels LIST          levels to request (default 1,3,5; with 3 levels tau-b cannot pass ~0.82)
  --samples K            rewrites per passage, rubric and level (default 1)
  --concurrency N        samples made at once (default 1); with a local model as parallel sequences
                         of one context (as many at once as its memory allows), with an endpoint as
                         requests in flight
  --mode M               the prompt: directive (default), rubric, plain (no style at all: a neutral
                         system prompt and "rewrite the text", the baseline that shows what the level
                         adds), both (directive and rubric), or a list such as directive,plain; each
                         mode is its own row
  --best-of LIST         best-of N settings to compare, e.g. 1,2,4 (default 1; N at most ${MAX_BEST_OF}): for
                         N above 1 each sample writes N candidates, the judge scores each, and the one
                         nearest the target is kept and scored; each N is its own row, with its cost
                         (seconds and judgements per sample)
  --out DIR              where samples.jsonl and the report go
  --report FILE...       no model: recompute the report from these samples files (several are
                         compared side by side) into --out DIR2 (default: the first file's folder)
  --temperature T        rewrite sampling temperature (default 0.7)
  --max-tokens N         most tokens per rewrite (default 1024). A passage or task whose prompt and N
                         tokens do not fit the context is skipped before anything is generated: one
                         stderr line names it with its token count, the report counts it, the run
                         goes on
  --seed N               base of each rewrite's seed (default 0; the same sample gets the same seed
                         for every model)
  --critique-chars N     most characters of the judge's critique (default ${DEFAULT_MAX_CRITIQUE_CHARS}, 0 to ` +
  `${MAX_CRITIQUE_CHARS})
  --judge-temperature T  the judge's temperature (default 0)
${ENGINE_USAGE}
  --dir DIR              an extra folder of rubric files (repeatable)
  -h, --help             show this help

A sample that fails ${MAX_ATTEMPTS} times, over any number of runs (DIR/failures.jsonl counts the attempts),
is given up: named, counted in the report, and not tried again.

Exit status: 0 when every planned sample exists (or was skipped or given up), 1 when some failed or the
run stopped (run it again to continue), 2 for a bad command line, 130 after Ctrl+C.`;

/** samples/eval/texts.jsonl of this install: beside dist/ (the bundle) or three folders above out/src/cli. */
function defaultTexts(): string | undefined {
  return [path.resolve(__dirname, '..', DEFAULT_TEXTS), path.resolve(__dirname, '..', '..', '..', DEFAULT_TEXTS)].find(
    (f) => existsSync(f),
  );
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'measure how well models follow the style level (accuracy, Kendall tau-b, Spearman rho)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string', multiple: true },
        'with-base': { type: 'boolean' },
        'judge-lora': { type: 'string', multiple: true },
        'judge-model': { type: 'string' },
        'judge-endpoint-model': { type: 'string' },
        'judge-api-key-env': { type: 'string' },
        rubric: { type: 'string', multiple: true },
        texts: { type: 'string' },
        tasks: { type: 'string' },
        levels: { type: 'string' },
        samples: { type: 'string' },
        concurrency: { type: 'string' },
        mode: { type: 'string' },
        'best-of': { type: 'string' },
        out: { type: 'string' },
        report: { type: 'string', multiple: true },
        temperature: { type: 'string' },
        'max-tokens': { type: 'string' },
        seed: { type: 'string' },
        'critique-chars': { type: 'string' },
        'judge-temperature': { type: 'string' },
        ...ENDPOINT_FLAGS,
        ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.report) {
      if (values.model) throw new UsageError('--report recomputes from saved samples: give no --model');
      return reportOnly([...values.report, ...positionals], values.out);
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const labelled = (values.model ?? []).map((v) => modelLabelArg(v, existsSync));
    const specs = labelled.map((m) => m.spec);
    if (!specs.length) throw new UsageError('missing --model SPEC (or --report FILE to recompute a report)');
    const endpointModel = specs.find(isEndpointSpec);
    if (endpointModel)
      throw new UsageError(
        `--model takes a local model (.gguf, https: .gguf URL, hf: URI); ${endpointModel} is a server: evaluate ` +
          `what you run locally, or judge with it (--judge-model)`,
      );
    const rubricIds = values.rubric ?? [];
    if (!rubricIds.length) throw new UsageError('missing --rubric ID (give at least one)');
    const outDir = values.out;
    if (!outDir) throw new UsageError('missing --out DIR');
    const levels = levelsArg('levels', values.levels, [1, 3, 5] as Level[]);
    const samples = wholeNumber('samples', values.samples, 1, 1000) ?? 1;
    const concurrency = wholeNumber('concurrency', values.concurrency, 1, 256) ?? 1;
    const modes = modesArg(values.mode);
    const bestOf = bestOfArg(values['best-of']);
    const temperature = decimal('temperature', values.temperature, 0, 2);
    const maxTokens = wholeNumber('max-tokens', values['max-tokens'], 1);
    const seed = wholeNumber('seed', values.seed) ?? 0;
    const critiqueChars = wholeNumber('critique-chars', values['critique-chars'], 0, MAX_CRITIQUE_CHARS);
    const judgeTemperature = decimal('judge-temperature', values['judge-temperature'], 0, 2);
    const judgeSpec = values['judge-model'];
    if (values['judge-endpoint-model'] && !judgeSpec)
      throw new UsageError('--judge-endpoint-model goes with --judge-model URL');
    if (judgeSpec && isEndpointSpec(judgeSpec) && !values['judge-endpoint-model']) {
      throw new UsageError(
        `${displayUrl(judgeSpec)} is an OpenAI-compatible endpoint: ` +
          'give the model it serves with --judge-endpoint-model NAME',
      );
    }
    const judgeKey =
      judgeSpec && isEndpointSpec(judgeSpec)
        ? keyFromEnvFlag('--judge-api-key-env', values['judge-api-key-env'])
        : undefined;
    // Adapters belong to the evaluated model: the shared engine options carry none, and each side adds its own.
    const engineOptions = { ...engineOptionsFrom({ ...values, lora: [] }) };
    const evalLora = (values.lora ?? []).map((v) => loraArg(v));
    const judgeLora = (values['judge-lora'] ?? []).map((v) => loraArg(v, '--judge-lora'));
    if (values['with-base'] && !evalLora.length) throw new UsageError('--with-base goes with --lora');
    if (judgeLora.length && !judgeSpec)
      throw new UsageError('--judge-lora goes with --judge-model (without one, each model judges its own rewrites)');
    if (judgeLora.length && judgeSpec && isEndpointSpec(judgeSpec))
      throw new UsageError('--judge-lora is for a local judge model; a server applies its own adapters');
    const variants = await modelVariants(labelled, evalLora, values['with-base'] ?? false);
    const logger = stderrLogger(values.verbose ?? false);

    const rubrics = await findRubrics(rubricIds, values.dir ?? []);
    if (values.texts && values.tasks) throw new UsageError('give --texts or --tasks, not both');
    const tasks = values.tasks !== undefined;
    const noun = tasks ? 'task' : 'passage';
    const textsFile = values.tasks ?? values.texts ?? defaultTexts();
    if (!textsFile) throw new CliError(`no --texts FILE given and the default ${DEFAULT_TEXTS} is not in this install`);
    let content: string;
    try {
      content = await readFile(textsFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${textsFile}: ${errorMessage(err)}`);
    }
    const input = tasks ? parseEvalTasks(content) : parseEvalTexts(content);
    for (const p of input.problems) process.stderr.write(`${textsFile}:${p.line}: ${p.message}\n`);
    if (!input.texts.length) {
      throw new CliError(
        `nothing to evaluate: ${textsFile} has no usable ${noun}s` +
          (input.problems.length
            ? ` (${input.problems.length} bad line${input.problems.length === 1 ? '' : 's'} above)`
            : ' (it is empty)'),
      );
    }

    const ac = new AbortController();
    const onSigint = () => {
      if (!ac.signal.aborted)
        process.stderr.write('\ncancelling: finished samples are kept; run the same command again to continue\n');
      ac.abort();
    };
    process.on('SIGINT', onSigint);
    const loadProgress = (what: string) => (p: LoadProgress) => {
      if (p.phase === 'download') process.stderr.write(`downloading ${what}: ${Math.floor(p.fraction * 100)}%\n`);
    };
    let judgeFingerprint: string | undefined;
    const judge = judgeSpec
      ? new LazyGenerator(async () => {
          process.stderr.write(`loading the judge ${isEndpointSpec(judgeSpec) ? displayUrl(judgeSpec) : judgeSpec}\n`);
          const g = await openJudge(
            {
              spec: judgeSpec,
              endpointModel: values['judge-endpoint-model'],
              endpointModelFlag: '--judge-endpoint-model',
              apiKey: judgeKey,
              endpoint: { logger, ...endpointOptionsFrom(values) },
              engine: { ...engineOptions, lora: judgeLora },
              onLoadProgress: loadProgress('the judge'),
            },
            ac.signal,
          );
          if (g.model && g.generator instanceof EngineClient) {
            try {
              const id = await identifyLoaded(g.model, await g.generator.info(), judgeLora, judgeSpec);
              judgeFingerprint = [id.fingerprint, ...id.adapters.map((a) => `${a.fingerprint}×${a.scale}`)].join('+');
              if (id.adapters.length)
                return { ...g, name: `${g.name} + ${id.label.split(' + ').slice(1).join(' + ')}` };
            } catch (err) {
              await g.dispose();
              throw err;
            }
          }
          return g;
        })
      : undefined;
    const bar = progressPrinter();
    try {
      process.stderr.write(
        `eval: ${variants.length} model${variants.length === 1 ? '' : 's'} × ${modes.join('+')}` +
          `${bestOf.length > 1 || bestOf[0] > 1 ? ` × best-of ${bestOf.join(',')}` : ''}` +
          ` × ${input.texts.length} ${noun}s × ` +
          `${rubrics.length} rubric${rubrics.length === 1 ? '' : 's'} × levels ${levels.join(',')} × ${samples} ` +
          `→ ${outDir}\n`,
      );
      const outcome = await runEval({
        outDir,
        rubrics,
        texts: input.texts,
        kind: tasks ? 'tasks' : 'texts',
        levels,
        samples,
        concurrency,
        modes,
        bestOf,
        judge,
        judgeFingerprint: () => judgeFingerprint,
        logger,
        signal: ac.signal,
        sampling: {
          seed,
          ...(temperature !== undefined ? { temperature } : {}),
          ...(maxTokens !== undefined ? { maxTokens } : {}),
        },
        judgeOptions: {
          ...(critiqueChars !== undefined ? { maxCritiqueChars: critiqueChars } : {}),
          ...(judgeTemperature !== undefined ? { temperature: judgeTemperature } : {}),
        },
        models: variants.map((v) => ({
          label: v.label,
          open: async () => {
            bar.end();
            process.stderr.write(`loading ${v.label}\n`);
            const g = await generatorFromSpec(v.spec, {
              engine: { ...engineOptions, lora: v.lora },
              signal: ac.signal,
              onLoadProgress: loadProgress(v.spec),
            });
            try {
              if (!g.model || !(g.generator instanceof EngineClient))
                throw new CliError(`${v.spec} is not a local model`);
              const info = await g.generator.info();
              const id = await identifyLoaded(g.model, info, v.lora, v.modelLabel);
              if (isTestModel(g.model))
                process.stderr.write(
                  `note: ${g.model.name} has random weights: the numbers check the machinery, not quality.\n`,
                );
              return {
                generator: g.generator,
                name: id.label,
                fingerprint: id.fingerprint,
                ...(id.adapters.length ? { adapters: id.adapters } : {}),
                contextSize: info.contextSize,
                countTokens: async (system: string, user: string) =>
                  (await (g.generator as EngineClient).promptTokens(system, user)).tokens,
                ref: { name: g.model.name, file: g.model.file, cptTuned: g.model.cptTuned },
                dispose: () => g.dispose(),
              };
            } catch (err) {
              await g.dispose();
              throw err;
            }
          },
        })),
        onProgress: (p) => bar.update(p),
      });
      bar.end();
      for (const n of outcome.notices) process.stderr.write(`${n}\n`);
      for (const t of outcome.skippedTexts)
        process.stderr.write(
          `${textsFile}: ${noun} ${t.textId}: skipped for ${t.model}: ${t.tokens} prompt tokens and --max-tokens ` +
            `${maxTokens ?? 1024} do not fit a ${t.contextSize}-token context\n`,
        );
      if (outcome.skippedTexts.length) process.stdout.write(`${skippedTextsLine(outcome.skippedTexts)}\n`);
      if (outcome.givenUp.length)
        process.stdout.write(
          `${givenUpLine(outcome.givenUp, 'sample')} (${path.join(outDir, 'failures.jsonl')}); ` +
            'they are not tried again\n',
        );
      const skippedIds = new Set(outcome.skippedTexts.map((t) => t.textId));
      if (outcome.planned === 0 && skippedIds.size === input.texts.length)
        throw new CliError(
          `every ${noun} of ${textsFile} is too long for the context with --max-tokens ${maxTokens ?? 1024}: ` +
            `give shorter ${noun}s, a larger --context-size or a smaller --max-tokens`,
        );
      printSummary(outcome.report);
      process.stdout.write(
        `${outcome.files.samples}: ${outcome.present} of ${outcome.planned} samples (${outcome.made} made now)\n`,
      );
      process.stdout.write(`${outcome.files.json}\n${outcome.files.md}\n${outcome.files.svg}\n`);
      if (outcome.status === 'cancelled') return 130;
      if (outcome.status === 'incomplete') {
        process.stderr.write(
          `cpt-writer eval: ${outcome.planned - outcome.present} of ${outcome.planned} samples failed; run the ` +
            `same command again to retry them.\n`,
        );
        return 1;
      }
      return 0;
    } catch (err) {
      bar.end();
      if (err instanceof EvalConfigError || err instanceof EvalStoppedError) throw new CliError(err.message);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await judge?.dispose();
    }
  },
});
