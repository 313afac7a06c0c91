// `cpt-writer generate`: rubric-guided synthetic preference data from a teacher (a local GGUF or an
// OpenAI-compatible server), written resumably to DIR and paired with the swap trick.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { decimal, levelsArg, required, wholeNumber } from '../args';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptionsFrom, loraArg } from '../engine-args';
import { ENDPOINT_FLAGS, ENDPOINT_USAGE, endpointOptionsFrom } from '../endpoint-args';
import { openJudge } from '../judge-args';
import { findRubrics } from '../rubric-args';
import {
  EndpointError,
  apiKeyFromEnv,
  displayUrl,
  generatorFromSpec,
  isEndpointSpec,
  type SpecGenerator,
} from '../../core/endpoint';
import {
  EngineClient,
  identifyLoaded,
  isTestModel,
  type EngineClientOptions,
  type LoadProgress,
  type LoraAdapter,
} from '../../core/engine';
import { errorMessage } from '../../core/errors';
import { MAX_ATTEMPTS, givenUpLine } from '../../core/jsonl/attempts';
import { GenerateConfigError, parseInput, runGenerate, type GenerateJudge, type InputKind } from '../../core/generate';
import { judgeText, nearestLevel } from '../../core/judge';
import { stderrLogger } from '../../core/log';
import type { Level } from '../../core/rubrics';

const USAGE =
  `usage: cpt-writer generate --rubric ID... (--texts FILE | --tasks FILE) --teacher SPEC|URL --out ` +
  `DIR [options]

A teacher writes every task at several levels of each rubric; every output is appended to
DIR/samples.jsonl as soon as it is finished, and the swap trick turns them into DPO pairs in
DIR/pairs.jsonl (TRL's conversational format), with DIR/report.md. Running the same command again
makes only what is missing; a DIR made with other settings is refused.

  --rubric ID            a rubric id (repeatable; see 'cpt-writer rubrics')
  --texts FILE           passages to rewrite: one a line, or JSONL {"id","text"}; the student
                         prompt is exactly what the extension sends in directive mode
  --tasks FILE           writing prompts: JSONL {"id","prompt"}; the prompt is the student's user message
  --teacher SPEC|URL     a .gguf path, an https: URL of a .gguf, an hf: URI, or the API root of an
                         OpenAI-compatible server (http(s)://host:port/v1: vLLM, llama-server, Ollama,
                         LM Studio, a hosted API)
  --teacher-model NAME   the model name the server serves (with an endpoint URL)
  --api-key-env VAR      the environment variable that holds the server's API key (never the key itself)
  --levels LIST          levels to write at (default 1,3,5: the paper's low, 50/100 and high targets)
  --samples K            outputs per task, rubric and level (default 1)
  --concurrency N        outputs made at once (default 4): requests in flight with an endpoint; with a
                         local model parallel sequences of one context, as many at once as its memory
                         allows (fewer, or one after another, when they do not fit)
  --summarize            the teacher condenses each rubric and level into a 2-3 sentence directive
                         (DIR/directives.json), used as the student system prompt; write them into a
                         rubric with 'cpt-writer directives'
  --judge-model SPEC|URL judge every output (a .gguf or an endpoint URL) and record its score
  --judge-endpoint-model NAME   the model name a judge endpoint serves
  --judge-api-key-env VAR       the judge endpoint's key variable (default: --api-key-env)
  --test-split F         hold out share F of the pairs (whole groups about one input, seeded by
                         --seed) as DIR/pairs.test.jsonl; DIR/README.md, the dataset card, names
                         both splits
  --keep-truncated       pair outputs that stopped at the --max-tokens limit too (by default they are
                         left out of the pairs and counted in the report)
  --filter               with --judge-model: leave out of the pairs every output whose score is not
                         strictly nearer its own level's target than any other level's (a tie is
                         not a hit: the rule eval's accuracy uses)
  --flat FILE            also write the pairs as flat strings (system, prompt, chosen, rejected)
  --out DIR              where samples.jsonl, pairs.jsonl, report.md and config.json go
  --language ID          the passages' language id (default plaintext; markdown, latex, ...)
  --temperature T        teacher sampling temperature (default 0.7)
  --max-tokens N         most tokens per output (default 1024)
  --seed N               derive a fixed seed per output from N
${ENDPOINT_USAGE}
  --teacher-lora PATH[:S]  a LoRA adapter for a local teacher (repeatable)
  --judge-lora PATH[:S]    a LoRA adapter for a local judge (repeatable); --lora is refused here:
                           it names the adapter of a model being evaluated
${ENGINE_USAGE}
  --dir DIR              an extra folder of rubric files (repeatable)
  -h, --help             show this help

An input whose teacher prompt and --max-tokens cannot fit a local teacher's context is skipped before
any request (one stderr line with its id and token count; counted in report.md and the card). An output
or judgement that fails ${MAX_ATTEMPTS} times, over any number of runs (DIR/failures.jsonl), is given up:
named, counted, and not tried again.

Exit status: 0 when every planned output exists (or was skipped or given up), 1 when some failed or the
run stopped (run it again to continue), 130 after Ctrl+C.`;

function keyFor(flag: string, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  try {
    return apiKeyFromEnv(name, process.env, flag);
  } catch (err) {
    throw new CliError(errorMessage(err), 2);
  }
}

/**
 * A local model's identity with its adapters: the name the data gives it (with its adapters, so two
 * adapters never pass for one teacher) and its fingerprint (adapters' as FINGERPRINT×SCALE after "+").
 * An adapter asked for and not applied is an error naming the adapter and the model (never a base-model run).
 */
async function identify(
  g: SpecGenerator,
  lora: readonly LoraAdapter[],
): Promise<{ name: string; fingerprint?: string }> {
  if (!g.model || !(g.generator instanceof EngineClient)) return { name: g.name };
  try {
    const id = await identifyLoaded(g.model, await g.generator.info(), lora, g.name);
    return {
      name: id.label,
      fingerprint: [id.fingerprint, ...id.adapters.map((a) => `${a.fingerprint}×${a.scale}`)].join('+'),
    };
  } catch (err) {
    throw new CliError(errorMessage(err));
  }
}

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'generate rubric-guided preference data with a teacher model or endpoint',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        rubric: { type: 'string', multiple: true },
        texts: { type: 'string' },
        tasks: { type: 'string' },
        teacher: { type: 'string' },
        'teacher-model': { type: 'string' },
        'api-key-env': { type: 'string' },
        levels: { type: 'string' },
        samples: { type: 'string' },
        concurrency: { type: 'string' },
        summarize: { type: 'boolean' },
        'judge-model': { type: 'string' },
        'teacher-lora': { type: 'string', multiple: true },
        'judge-lora': { type: 'string', multiple: true },
        'judge-endpoint-model': { type: 'string' },
        'judge-api-key-env': { type: 'string' },
        filter: { type: 'boolean' },
        'keep-truncated': { type: 'boolean' },
        'test-split': { type: 'string' },
        flat: { type: 'string' },
        out: { type: 'string' },
        language: { type: 'string' },
        temperature: { type: 'string' },
        'max-tokens': { type: 'string' },
        seed: { type: 'string' },
        ...ENDPOINT_FLAGS,
        ...ENGINE_FLAGS,
        dir: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const rubricIds = values.rubric ?? [];
    if (!rubricIds.length) throw new UsageError('missing --rubric ID (give at least one)');
    if (values.texts && values.tasks) throw new UsageError('give --texts or --tasks, not both');
    if (!values.texts && !values.tasks) throw new UsageError('missing --texts FILE or --tasks FILE');
    const kind: InputKind = values.texts ? 'texts' : 'tasks';
    const inputFile = (values.texts ?? values.tasks)!;
    const teacherSpec = required(values.teacher, 'teacher', 'SPEC|URL');
    const outDir = required(values.out, 'out', 'DIR');
    const levels = levelsArg('levels', values.levels, [1, 3, 5] as Level[]);
    if (levels.length < 2)
      throw new UsageError('--levels needs at least two levels: the swap trick pairs outputs made at different levels');
    const samples = wholeNumber('samples', values.samples, 1, 1000) ?? 1;
    const teacherIsEndpoint = isEndpointSpec(teacherSpec);
    const concurrency = wholeNumber('concurrency', values.concurrency, 1, 256) ?? 4;
    const temperature = decimal('temperature', values.temperature, 0, 2);
    const maxTokens = wholeNumber('max-tokens', values['max-tokens'], 1);
    const seed = wholeNumber('seed', values.seed);
    const endpointFlags = endpointOptionsFrom(values);
    const testSplit = decimal('test-split', values['test-split'], 0, 1);
    if (testSplit !== undefined && !(testSplit > 0 && testSplit < 1))
      throw new UsageError(`--test-split takes a share between 0 and 1, got ${testSplit}`);
    if (values.filter && !values['judge-model']) throw new UsageError('--filter needs --judge-model');
    if (values['judge-endpoint-model'] && !values['judge-model'])
      throw new UsageError('--judge-endpoint-model goes with --judge-model URL');
    if (values['teacher-model'] !== undefined && !teacherIsEndpoint)
      throw new UsageError(`--teacher-model is only for an http(s) endpoint; ${teacherSpec} is a local model`);
    if (teacherIsEndpoint && !values['teacher-model'])
      throw new UsageError(
        `${displayUrl(teacherSpec)} is an OpenAI-compatible endpoint: ` +
          'give the model it serves with --teacher-model NAME',
      );
    const judgeSpec = values['judge-model'];
    if (judgeSpec && isEndpointSpec(judgeSpec) && !values['judge-endpoint-model']) {
      throw new UsageError(
        `${displayUrl(judgeSpec)} is an OpenAI-compatible endpoint: ` +
          'give the model it serves with --judge-endpoint-model NAME',
      );
    }
    if (values.lora?.length)
      throw new UsageError(
        'generate evaluates no model of its own: give the teacher an adapter with --teacher-lora, the judge one ' +
          'with --judge-lora',
      );
    // Each model gets only its own adapters: the teacher's never reaches the judge, nor the reverse.
    const engineOptions: EngineClientOptions = engineOptionsFrom({ ...values, lora: [] });
    const teacherLora = (values['teacher-lora'] ?? []).map((v) => loraArg(v, '--teacher-lora'));
    const judgeLora = (values['judge-lora'] ?? []).map((v) => loraArg(v, '--judge-lora'));
    if (teacherLora.length && teacherIsEndpoint)
      throw new UsageError('--teacher-lora is for a local teacher model; a server applies its own adapters');
    if (judgeLora.length && (!judgeSpec || isEndpointSpec(judgeSpec)))
      throw new UsageError('--judge-lora goes with a local --judge-model');
    const logger = stderrLogger(values.verbose ?? false);
    // Keys are read before anything else happens, so a missing one costs nothing.
    const teacherKey = teacherIsEndpoint ? keyFor('--api-key-env', values['api-key-env']) : undefined;
    const judgeKeyVar = values['judge-api-key-env'] ?? values['api-key-env'];
    const judgeKey =
      judgeSpec && isEndpointSpec(judgeSpec)
        ? keyFor(values['judge-api-key-env'] ? '--judge-api-key-env' : '--api-key-env', judgeKeyVar)
        : undefined;

    const rubrics = await findRubrics(rubricIds, values.dir ?? []);
    let content: string;
    try {
      content = await readFile(inputFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${inputFile}: ${errorMessage(err)}`);
    }
    const input = parseInput(content, kind);
    for (const p of input.problems) process.stderr.write(`${inputFile}:${p.line}: ${p.message}\n`);
    if (!input.tasks.length) {
      const what = kind === 'texts' ? 'passages' : 'writing prompts';
      throw new CliError(
        `nothing to generate: ${inputFile} has no usable ` +
          what +
          (input.problems.length
            ? ` (${input.problems.length} bad ${input.problems.length === 1 ? 'line' : 'lines'} above)`
            : ' (it is empty)'),
      );
    }

    const ac = new AbortController();
    const onSigint = () => {
      if (!ac.signal.aborted)
        process.stderr.write('\ncancelling: finished outputs are kept; run the same command again to continue\n');
      ac.abort();
    };
    process.on('SIGINT', onSigint);
    const loaded: SpecGenerator[] = [];
    try {
      const endpointOptions = {
        logger,
        ...endpointFlags,
      };
      const progress = (what: string) => (p: LoadProgress) => {
        if (p.phase === 'download') process.stderr.write(`downloading ${what}: ${Math.floor(p.fraction * 100)}%\n`);
      };
      const teacher = await generatorFromSpec(teacherSpec, {
        endpointModel: values['teacher-model'],
        endpointModelFlag: '--teacher-model',
        apiKey: teacherKey,
        endpoint: endpointOptions,
        engine: { ...engineOptions, lora: teacherLora },
        signal: ac.signal,
        onLoadProgress: progress('the teacher'),
      });
      loaded.push(teacher);
      const teacherId = await identify(teacher, teacherLora);
      if (teacher.model && isTestModel(teacher.model))
        process.stderr.write(`note: ${teacher.model.name} has random weights; it writes gibberish.\n`);
      let judge: GenerateJudge | undefined;
      let judgeId: { name: string; fingerprint?: string } | undefined;
      if (judgeSpec) {
        const same =
          judgeSpec === teacherSpec &&
          teacher.kind === 'local' &&
          JSON.stringify(teacherLora) === JSON.stringify(judgeLora);
        const j = same
          ? teacher
          : await openJudge(
              {
                spec: judgeSpec,
                endpointModel: values['judge-endpoint-model'],
                endpointModelFlag: '--judge-endpoint-model',
                apiKey: judgeKey,
                endpoint: endpointOptions,
                engine: { ...engineOptions, lora: judgeLora },
                onLoadProgress: progress('the judge'),
              },
              ac.signal,
            );
        if (!same) loaded.push(j);
        judgeId = await identify(j, judgeLora);
        judge = { generator: j.generator, name: judgeId.name, judgeText, nearestLevel };
      }
      process.stderr.write(
        `generate: teacher ${teacherId.name}; ${input.tasks.length} ${kind === 'texts' ? 'passages' : 'prompts'} × ` +
          `${rubrics.length} ` +
          `${rubrics.length === 1 ? 'rubric' : 'rubrics'} × levels ${levels.join(',')} × ${samples} → ${outDir}\n`,
      );

      let outcome;
      try {
        outcome = await runGenerate({
          outDir,
          kind,
          tasks: input.tasks,
          rubrics,
          levels,
          samples,
          languageId: values.language ?? 'plaintext',
          summarize: values.summarize ?? false,
          sampling: {
            ...(temperature !== undefined ? { temperature } : {}),
            ...(maxTokens !== undefined ? { maxTokens } : {}),
            ...(seed !== undefined ? { seed } : {}),
          },
          concurrency,
          teacher: {
            generator: teacher.generator,
            name: teacherId.name,
            // A local teacher counts each prompt first, so an input too long for its context is skipped up front.
            ...(teacher.generator instanceof EngineClient
              ? {
                  contextSize: (await teacher.generator.info()).contextSize,
                  countTokens: async (system: string, user: string) =>
                    (await (teacher.generator as EngineClient).promptTokens(system, user)).tokens,
                }
              : {}),
          },
          judge,
          filter: values.filter ?? false,
          keepTruncated: values['keep-truncated'] ?? false,
          ...(testSplit !== undefined ? { testSplit: { testFraction: testSplit, seed: seed ?? 0 } } : {}),
          fingerprints: {
            ...(teacherId.fingerprint ? { teacher: teacherId.fingerprint } : {}),
            ...(judgeId?.fingerprint ? { judge: judgeId.fingerprint } : {}),
          },
          flat: values.flat,
          input: { file: inputFile, problems: input.problems },
          signal: ac.signal,
          logger,
          onProgress: (p) => {
            if (!p.item) return;
            const label = p.phase === 'directives' ? 'directives' : 'outputs';
            process.stderr.write(
              `[${p.done}/${p.total} ${label}] ${p.item.what} ` +
                `${p.item.ok ? 'ok' : `failed: ${p.item.message ?? ''}`}\n`,
            );
          },
        });
      } catch (err) {
        if (err instanceof GenerateConfigError) throw new CliError(err.message);
        throw err;
      }
      const o = outcome;
      process.stdout.write(`${o.files.samples}: ${o.present} of ${o.planned} outputs (${o.made} made now)\n`);
      process.stdout.write(`${o.files.pairs}: ${o.pairs} pairs${o.files.flat ? ` (also ${o.files.flat})` : ''}\n`);
      if (o.skipped.length) {
        const what = kind === 'texts' ? 'passage' : 'writing prompt';
        process.stdout.write(
          `${o.skipped.length} ${what}${o.skipped.length === 1 ? '' : 's'} skipped: too long for a ` +
            `${o.skipped[0].contextSize}-token context with --max-tokens ${maxTokens ?? 1024}\n`,
        );
      }
      if (o.givenUp.length)
        process.stdout.write(
          `${givenUpLine(o.givenUp, 'item')} (${path.join(outDir, 'failures.jsonl')}); they are not tried again\n`,
        );
      if (o.skipped.length === input.tasks.length)
        throw new CliError(
          `every ${kind === 'texts' ? 'passage' : 'writing prompt'} of ${inputFile} is too long for the teacher's ` +
            `context with --max-tokens ${maxTokens ?? 1024}: ` +
            'give shorter ones, a larger --context-size or a smaller --max-tokens',
        );
      const truncated = o.counts.reduce((a, c) => a + c.truncated, 0);
      if (truncated)
        process.stdout.write(
          `${truncated} output${truncated === 1 ? '' : 's'} stopped at the token limit: ` +
            (values['keep-truncated']
              ? 'kept in the pairs (--keep-truncated)'
              : 'left out of the pairs (--keep-truncated keeps them)') +
            '\n',
        );
      if (o.files.directives)
        process.stdout.write(`${o.files.directives}: directives for ${rubrics.map((r) => r.id).join(', ')}\n`);
      process.stdout.write(`${o.files.report}\n`);
      process.stdout.write(`${o.files.card} (dataset card)\n`);
      if (o.files.testPairs) process.stdout.write(`${o.files.testPairs} (test split)\n`);
      if (o.status === 'cancelled') return 130;
      if (o.status === 'stopped') {
        process.stderr.write(
          `cpt-writer generate: stopped: ${o.stopReason}\n` +
            `${o.present} of ${o.planned} outputs are saved in ${o.files.samples}; run the same command again to ` +
            `continue.\n`,
        );
        return 1;
      }
      if (o.status === 'incomplete') {
        process.stderr.write(
          `cpt-writer generate: ${o.planned - o.present} of ${o.planned} outputs failed (see ${o.files.report}); ` +
            `run the same command again to retry them.\n`,
        );
        return 1;
      }
      return 0;
    } catch (err) {
      // A bad endpoint URL or model name is found before any request.
      if (err instanceof EndpointError) throw new CliError(err.message, 2);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
      for (const g of loaded) await g.dispose();
    }
  },
});
