// The "evaluate a model" use case, shared by `cpt-writer eval` and the editor's Evaluate Model… command:
// every passage × rubric × level (× sample) is rewritten through core/rewrite's rewrite (the prompts
// the extension sends) and judged with core/judge, one sample line appended and flushed as each
// finishes. A re-run with the same DIR does only what is missing; the report is computed from the file.
import { workPool } from '../engine/work-pool';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TextGenerator } from '../engine/types';
import { CptError, TooLongError, errorMessage, tooLongOf } from '../errors';
import {
  JUDGE_PROMPT_VERSION,
  JudgeCancelledError,
  JudgeError,
  judgeText,
  type Judgement,
  type JudgeOptions,
  type LazyGenerator,
} from '../judge';
import { type Logger, silentLogger } from '../log';
import { systemPrompt } from '../prompts';
import type { PromptMode } from '../prompts/types';
import { MAX_BEST_OF, rankCandidates } from '../rewrite/best-of';
import { cleanRewrite } from '../rewrite/cleanup';
import { rewritePrompt } from '../rewrite/prompt';
import { DEFAULT_SAMPLING } from '../rewrite/run';
import { rewrite } from '../rewrite/use-case';
import type { ModelRef, Sampling } from '../rewrite/types';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { type ReportFiles, writeReportFiles } from './files';
import { SampleWriter, evalModelIdentity, evalSampleKey, readEvalSamples } from './samples';
import type { EvalReport, EvalSample, EvalText, SampleAdapter, SkippedText } from './types';
import { fnv1a } from '../text';
import { AttemptLog, MAX_ATTEMPTS, type GivenUp } from '../jsonl/attempts';

/** A rewriting model, loaded: opened one at a time and disposed before the next. */
export interface EvalModelHandle {
  generator: TextGenerator;
  /** How samples and the report name it: the path as given or the chosen label, and its adapters. */
  name: string;
  /** Its content fingerprint (core/engine/fingerprint); without one the name alone identifies it. */
  fingerprint?: string;
  /** The adapters applied to it, as samples record them. */
  adapters?: SampleAdapter[];
  /** The loaded context's size in tokens: a passage whose prompt and maxTokens exceed it is skipped. */
  contextSize?: number;
  /**
   * Counts a prompt's tokens as the model would evaluate it (EngineClient.promptTokens). With it and
   * contextSize, a passage that cannot fit is skipped before anything is generated; without it, after its
   * first rewrite shows the prompt's size.
   */
  countTokens?: (system: string, user: string) => Promise<number>;
  /** For the prompt and the record (name and file). */
  ref: ModelRef;
  dispose(): Promise<void>;
}

export interface EvalRun {
  outDir: string;
  /** Evaluated in this order, one loaded at a time. */
  models: ReadonlyArray<{ label: string; open: () => Promise<EvalModelHandle> }>;
  /**
   * A second model that judges every rewrite, loaded when first needed; without one each model judges its own
   * rewrites.
   */
  judge?: LazyGenerator;
  /** The judge's content fingerprint, once it is loaded (a local file), recorded in each sample. */
  judgeFingerprint?: () => string | undefined;
  rubrics: readonly Rubric[];
  /** The passages to rewrite, or with kind 'tasks' the writing prompts to write from. */
  texts: readonly EvalText[];
  /**
   * 'texts' (default): each passage is rewritten (core/rewrite). 'tasks': free writing, the paper's setting:
   * each text is a writing prompt, sent as the user message under the style's system prompt; its samples
   * carry `task: true` and make rows of their own.
   */
  kind?: 'texts' | 'tasks';
  levels: readonly Level[];
  /** Rewrites per passage × rubric × level (default 1), each with its own seed. */
  samples?: number;
  modes: readonly PromptMode[];
  /**
   * Best-of-N settings to evaluate (default [1]): for N above 1 each sample is core/rewrite's best-of-N
   * (N candidates, each judged, the one nearest the target kept), scored by the judge's verdict on it.
   */
  bestOf?: readonly number[];
  /** The rewrites' sampling; `seed` is the base each sample's seed is derived from (default 0). */
  sampling?: Partial<Sampling>;
  judgeOptions?: { maxCritiqueChars?: number; temperature?: number };
  /**
   * Samples made at once (default 1). With a local model they run as parallel sequences of one context;
   * samples.jsonl then holds them in the order they finish.
   */
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: EvalProgress) => void;
}

export interface EvalProgress {
  /**
   * Samples attempted in this run, and the most there are left to attempt (it shrinks as models load and show
   * what they have).
   */
  done: number;
  total: number;
  failed: number;
  model: string;
  /** Seconds left at this run's pace; undefined until a sample was made. */
  etaSeconds?: number;
  item?: { what: string; ok: boolean; message?: string };
}

export interface EvalOutcome {
  /**
   * complete: every planned sample exists; incomplete: some failed (run again to retry them); cancelled: the
   * signal fired.
   */
  status: 'complete' | 'incomplete' | 'cancelled';
  planned: number;
  present: number;
  made: number;
  failures: Array<{ what: string; message: string }>;
  /** Lines of samples.jsonl that were repaired or skipped. */
  notices: string[];
  /** Passages left out because their prompt and the token limit do not fit the context, per model. */
  skippedTexts: SkippedText[];
  /** Samples that failed MAX_ATTEMPTS times over this and earlier runs (DIR/failures.jsonl): not tried again. */
  givenUp: GivenUp[];
  files: { samples: string } & ReportFiles;
  report: EvalReport;
}

/** Bad settings or a samples file from another setup: nothing was run. */
export class EvalConfigError extends CptError<'EVAL_CONFIG'> {
  constructor(message: string) {
    super('EVAL_CONFIG', message);
    this.name = 'EvalConfigError';
  }
}

/**
 * The run stopped on a failure every further sample would repeat (a model or judge that fails to load, a crashed
 * engine).
 */
export class EvalStoppedError extends CptError<'EVAL_STOPPED'> {
  constructor(
    message: string,
    readonly samplesFile: string,
    readonly present: number,
  ) {
    super(
      'EVAL_STOPPED',
      `${message}; the ${present} sample${present === 1 ? '' : 's'} made so far ` +
        `${present === 1 ? 'is' : 'are'} kept in ${samplesFile}: run again to continue`,
    );
  }
}

const MAX_FAILURES_IN_A_ROW = 5;

/**
 * The too-long errors that are the passage's own (its prompt and token limit do not fit the model's context:
 * skipped, never retried). A judge's refusal after the rewrite is not the passage's, and stops the run.
 */
const passageTooLong = new WeakSet<TooLongError>();

function tooLongPassage(tokens: number, contextSize: number): TooLongError {
  const e = new TooLongError(tokens, contextSize);
  passageTooLong.add(e);
  return e;
}

/** The engine's own refusal of the rewrite's prompt as the passage's too-long error; any other error as is. */
function asPassageTooLong(err: unknown): unknown {
  const t = tooLongOf(err);
  return t ? tooLongPassage(t.tokens, t.contextSize) : err;
}

/** The model answered, but nothing was left of its rewrite after clean-up: a failure of this sample only. */
class EmptyRewriteError extends CptError<'EMPTY_REWRITE'> {
  constructor(message: string) {
    super('EMPTY_REWRITE', message);
    this.name = 'EmptyRewriteError';
  }
}

/**
 * What one sample wrote: the kept text, whether it stopped at the token limit, and the judge's verdict when
 * best-of-N judged it already.
 */
interface Written {
  text: string;
  truncated: boolean;
  /** The tokens of one prompt (one candidate's), for the over-long rule. */
  promptTokens: number;
  verdict?: Judgement;
  judgements: number;
}

/**
 * Free writing from a --tasks prompt under the style's system prompt. With N above 1: N outputs (seeds seed,
 * seed + 1, …) each judged, the nearest the target kept by the one tie rule (rankCandidates: equal distance
 * keeps writing order), as core/rewrite's best-of-N does for passages.
 */
async function writeFromTask(
  generator: TextGenerator,
  p: { text: EvalText; rubricRef: Rubric; level: Level; mode: PromptMode; seed: number; target: number },
  n: number,
  o: {
    temperature: number;
    maxTokens: number;
    signal?: AbortSignal;
    judge: () => Promise<TextGenerator>;
    judgeOptions?: Partial<JudgeOptions>;
  },
): Promise<Written | 'cancelled' | 'empty'> {
  const system = systemPrompt(p.rubricRef, p.level, p.mode);
  const written: Array<{ index: number; text: string; truncated: boolean; distance: number; verdict?: Judgement }> = [];
  let promptTokens = 0;
  for (let index = 0; index < n; index++) {
    const r = await generator.generate({
      system,
      user: p.text.text,
      maxTokens: o.maxTokens,
      temperature: o.temperature,
      seed: (p.seed + index) % 0x7fffffff,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (r.stopReason === 'aborted') return 'cancelled';
    promptTokens = r.promptTokens;
    const text = cleanRewrite('', r.text);
    if (!text.trim()) continue;
    const out = { index, text, truncated: r.stopReason === 'maxTokens', distance: 0 };
    if (n > 1) {
      const verdict = await judgeText(await o.judge(), p.rubricRef, text, {
        ...o.judgeOptions,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      written.push({ ...out, verdict, distance: Math.abs(verdict.score - p.target) });
    } else written.push(out);
  }
  if (!written.length) return 'empty';
  const best = rankCandidates(written.map((w) => ({ ...w, markupLost: [] as string[] })))[0];
  return {
    text: best.text,
    truncated: best.truncated,
    promptTokens,
    ...(best.verdict ? { verdict: best.verdict } : {}),
    judgements: n > 1 ? written.length : 0,
  };
}

/**
 * The same seed for the same passage, rubric, level and sample whatever the model or mode, so rows differ by model, not
 * by luck.
 */
export function evalSeed(base: number, s: { textId: string; rubric: string; level: Level; sample: number }): number {
  return (base + fnv1a(`${s.textId}/${s.rubric}/L${s.level}/s${s.sample}`)) % 0x7fffffff;
}

export function checkEvalRun(
  run: Pick<EvalRun, 'models' | 'rubrics' | 'texts' | 'levels' | 'samples' | 'modes' | 'bestOf'>,
): void {
  const problems: string[] = [];
  if (!run.models.length) problems.push('no model to evaluate');
  if (!run.rubrics.length) problems.push('no rubric to evaluate against');
  if (!run.texts.length) problems.push('no passage to rewrite (the texts are empty)');
  if (!run.levels.length) problems.push('no level to evaluate');
  const bad = run.levels.filter((l) => !(Number.isInteger(l) && l >= 1 && l <= 5));
  if (bad.length) problems.push(`levels must be 1 to 5, got ${bad.join(', ')}`);
  const K = run.samples ?? 1;
  if (!Number.isInteger(K) || K < 1) problems.push(`samples must be a whole number of at least 1, got ${K}`);
  if (!run.modes.length) problems.push('no prompt mode');
  const badN = (run.bestOf ?? [1]).filter((n) => !(Number.isInteger(n) && n >= 1 && n <= MAX_BEST_OF));
  if (badN.length) problems.push(`best-of must be 1 to ${MAX_BEST_OF}, got ${badN.join(', ')}`);
  if (run.bestOf && !run.bestOf.length) problems.push('no best-of N');
  if (problems.length) throw new EvalConfigError(`cannot evaluate: ${problems.join('; ')}`);
}

export async function runEval(run: EvalRun): Promise<EvalOutcome> {
  checkEvalRun(run);
  const logger = run.logger ?? silentLogger;
  const K = run.samples ?? 1;
  const levels = [...new Set(run.levels)].sort((a, b) => a - b);
  const modes = [...new Set(run.modes)];
  const bestOfs = [...new Set(run.bestOf ?? [1])].sort((a, b) => a - b);
  const baseSeed = run.sampling?.seed ?? 0;
  const maxTokens = run.sampling?.maxTokens ?? DEFAULT_SAMPLING.maxTokens;
  const tasks = run.kind === 'tasks';
  const judgeFingerprint = () => run.judgeFingerprint?.();
  await fs.mkdir(run.outDir, { recursive: true });
  const samplesFile = path.join(run.outDir, 'samples.jsonl');

  const read = await readEvalSamples(samplesFile, { repair: true, missingOk: true });
  const notices = [
    ...(read.repaired ? [read.repaired] : []),
    ...read.skipped.map((s) => `${s.file}:${s.line}: skipped (${s.reason})`),
  ];
  for (const n of notices) logger.warn(n);
  const stale = read.samples.find((s) => s.judgePrompt !== JUDGE_PROMPT_VERSION);
  if (stale)
    throw new EvalConfigError(
      `${samplesFile} holds samples scored with another version of the judge's prompt ` +
        `(${stale.judgePrompt}, now ${JUDGE_PROMPT_VERSION}): use another output folder`,
    );
  const have = new Map(read.samples.map((s) => [evalSampleKey(s), s]));

  const perModel = run.texts.length * run.rubrics.length * levels.length * K * modes.length * bestOfs.length;
  let total = perModel * run.models.length;
  let done = 0;
  let made = 0;
  let madeSeconds = 0;
  const failures: EvalOutcome['failures'] = [];
  const skippedTexts: SkippedText[] = [];
  const cancelled = () => !!run.signal?.aborted;
  const present = () => have.size;
  let plannedPresent = 0;
  /** Planned samples of passages skipped as too long: not made, and not missing either. */
  let plannedSkipped = 0;
  const writer = await SampleWriter.open<EvalSample>(samplesFile);
  // No sample is retried for ever: its failed attempts are counted across runs, and after MAX_ATTEMPTS it is
  // given up (named and counted) instead of keeping every later run incomplete.
  const attempts = await AttemptLog.open(path.join(run.outDir, 'failures.jsonl'));
  const givenUp: GivenUp[] = [];

  const finish = async (status: EvalOutcome['status']): Promise<EvalOutcome> => {
    await attempts.close();
    const all = await readEvalSamples(samplesFile, { missingOk: true });
    const { report, files } = await writeReportFiles(
      run.outDir,
      all.samples,
      [samplesFile],
      all.skipped,
      skippedTexts,
      givenUp,
    );
    return {
      status,
      planned: perModel * run.models.length - plannedSkipped - givenUp.length,
      present: plannedPresent,
      made,
      failures,
      notices,
      skippedTexts,
      givenUp,
      files: { samples: samplesFile, ...files },
      report,
    };
  };

  try {
    for (const entry of run.models) {
      if (cancelled()) break;
      let model: EvalModelHandle;
      try {
        model = await entry.open();
      } catch (err) {
        if (cancelled()) break;
        throw new EvalStoppedError(
          `the model ${entry.label} failed to load: ${errorMessage(err)}`,
          samplesFile,
          present(),
        );
      }
      try {
        let judge: { generator: TextGenerator; name: string } | undefined = run.judge
          ? undefined
          : { generator: model.generator, name: model.name };
        const judgeOf = async () => {
          if (judge) return judge;
          try {
            const opened = await run.judge!.ready();
            judge = { generator: opened.generator, name: opened.name };
          } catch (err) {
            throw new EvalStoppedError(`the judge model failed to load: ${errorMessage(err)}`, samplesFile, present());
          }
          checkJudge(judge.name);
          return judge;
        };
        // A row holds one judge's scores: a resumed run with another judge would mix two instruments.
        const modelId = evalModelIdentity({
          model: model.name,
          ...(model.fingerprint ? { modelFingerprint: model.fingerprint } : {}),
          ...(model.adapters?.length ? { adapters: model.adapters } : {}),
        });
        const checkJudge = (name: string) => {
          const other = read.samples.find(
            (s) => evalModelIdentity(s) === modelId && modes.includes(s.mode) && s.judge !== name,
          );
          if (other)
            throw new EvalConfigError(
              `${samplesFile} already holds ${model.name} (${other.mode}) judged by ${other.judge}; ` +
                `this run's judge is ${name}: use another output folder or the same judge`,
            );
        };
        if (judge) checkJudge(judge.name);

        const plan: Array<
          Omit<EvalSample, 'v' | 'output' | 'score' | 'critique' | 'judge' | 'judgePrompt' | 'seconds' | 'time'> & {
            seed: number;
            text: EvalText;
            rubricRef: Rubric;
          }
        > = [];
        for (const mode of modes) {
          for (const n of bestOfs) {
            for (const text of run.texts) {
              for (const rubric of run.rubrics) {
                for (let sample = 0; sample < K; sample++) {
                  for (const level of levels) {
                    const s = {
                      model: model.name,
                      ...(model.fingerprint ? { modelFingerprint: model.fingerprint } : {}),
                      ...(model.adapters?.length ? { adapters: model.adapters } : {}),
                      mode,
                      ...(n > 1 ? { bestOf: n } : {}),
                      ...(tasks ? { task: true } : {}),
                      textId: text.id,
                      rubric: rubric.id,
                      level,
                      sample,
                      target: LEVEL_TARGET_SCORE[level],
                      seed: 0,
                    };
                    s.seed = evalSeed(baseSeed, s);
                    plan.push({ ...s, text, rubricRef: rubric });
                  }
                }
              }
            }
          }
        }
        const jobs = plan.filter((p) => !have.has(evalSampleKey(p)));
        plannedPresent += plan.length - jobs.length;
        total -= plan.length - jobs.length;
        let failuresInARow = 0;
        const tooLong = new Set<string>();
        const skip = (p: (typeof plan)[number], tokens: number, room: number): boolean => {
          const first = !tooLong.has(p.textId);
          tooLong.add(p.textId);
          if (first) {
            skippedTexts.push({
              textId: p.textId,
              ...(tasks ? { task: true } : {}),
              model: model.name,
              tokens,
              contextSize: room,
            });
            // A note for the log: the caller names skipped passages to the user (outcome.skippedTexts), once.
            logger.info(
              `${p.textId}: skipped: its prompt is ${tokens} tokens, and with --max-tokens ${maxTokens} ` +
                `it does not fit a ${room}-token context`,
            );
          }
          return first;
        };
        // Bounded work, up front: every prompt a missing sample would send is counted with the model's own
        // tokenizer (each distinct prompt once), and a passage any of whose prompts cannot fit the context
        // with the token limit is skipped before anything is generated, named with its largest prompt.
        const room = model.contextSize;
        if (model.countTokens && room !== undefined) {
          const counted = new Map<string, number>();
          const largest = new Map<string, { p: (typeof plan)[number]; tokens: number }>();
          for (const p of jobs) {
            if (cancelled()) break;
            const prompt = tasks
              ? { system: systemPrompt(p.rubricRef, p.level, p.mode), user: p.text.text }
              : rewritePrompt(p.text.text, { rubric: p.rubricRef, level: p.level }, p.mode, p.text.languageId);
            const key = `${prompt.system}\u0000${prompt.user}`;
            let tokens = counted.get(key);
            if (tokens === undefined) {
              tokens = await model.countTokens(prompt.system, prompt.user);
              counted.set(key, tokens);
            }
            if (tokens > (largest.get(p.textId)?.tokens ?? -1)) largest.set(p.textId, { p, tokens });
          }
          for (const { p, tokens } of largest.values()) if (tokens + maxTokens > room) skip(p, tokens, room);
        }
        const whatOf = (p: (typeof plan)[number]) =>
          `${p.textId}/${p.rubric}/L${p.level}/s${p.sample} ` +
          `(${p.mode}${(p.bestOf ?? 1) > 1 ? `, best-of-${p.bestOf}` : ''})`;
        const runnable = jobs.filter((p) => {
          if (tooLong.has(p.textId)) return false;
          const gone = attempts.givenUp(evalSampleKey(p), whatOf(p));
          if (gone) {
            givenUp.push(gone);
            logger.warn(
              `${gone.what}: given up after ${gone.attempts} failed attempts ` +
                `(the last: ${gone.message}); not tried again`,
            );
          }
          return !gone;
        });
        total -= jobs.length - runnable.length;
        // --concurrency N: N samples at once; with a local model as parallel sequences (core/engine/work-pool).
        /** A passage rewritten whole, in one part, through core/rewrite (best-of-N judged by the eval's judge). */
        const rewriteText = async (
          p: (typeof plan)[number],
          n: number,
          generator: TextGenerator,
          judgeGenerator: () => Promise<TextGenerator>,
        ): Promise<Written | 'cancelled' | 'empty'> => {
          const rewritten = await rewrite(
            generator,
            {
              text: p.text.text,
              style: { rubric: p.rubricRef, level: p.level },
              source: { languageId: p.text.languageId, path: '' },
              promptMode: p.mode,
              model: model.ref,
              sampling: {
                ...(run.sampling?.temperature !== undefined ? { temperature: run.sampling.temperature } : {}),
                ...(run.sampling?.maxTokens !== undefined ? { maxTokens: run.sampling.maxTokens } : {}),
                seed: p.seed,
              },
            },
            {
              ...(run.signal ? { signal: run.signal } : {}),
              ...(n > 1
                ? {
                    bestOf: n,
                    judge: { generator: judgeGenerator, ...(run.judgeOptions ? { options: run.judgeOptions } : {}) },
                  }
                : {}),
            },
          ).catch((err: unknown) => {
            // Only the rewrite's own prompt can make the passage too long; a judge's refusal is not the passage's.
            throw asPassageTooLong(err);
          });
          if (rewritten.status === 'cancelled') return 'cancelled';
          if (rewritten.status === 'empty') {
            // A best-of result sums its N candidates' prompts; the passage's own prompt is one candidate's.
            const tokens = Math.round(rewritten.result.promptTokens / n);
            if (room !== undefined && tokens + maxTokens > room) throw tooLongPassage(tokens, room);
            return 'empty';
          }
          // Best-of-N puts the candidate nearest the target first, with the judge's verdict on it.
          const outcome = rewritten.proposals[0];
          return {
            text: outcome.text,
            truncated: outcome.cutOff > 0,
            promptTokens: outcome.result.promptTokens,
            ...(outcome.candidate ? { verdict: outcome.candidate } : {}),
            judgements: n - rewritten.empty,
          };
        };
        await workPool(
          runnable,
          { limit: run.concurrency ?? 1, stop: cancelled, generator: model.generator },
          async (p, generator) => {
            if (cancelled()) return;
            const n = p.bestOf ?? 1;
            const what = whatOf(p);
            if (tooLong.has(p.textId)) {
              total--;
              return;
            }
            let ok = false;
            let message: string | undefined;
            const t0 = performance.now();
            try {
              const judgeGenerator = async () => {
                const j = await judgeOf();
                // A model judging its own outputs judges through its worker too: batched with the others.
                return j.generator === model.generator ? generator : j.generator;
              };
              const written = tasks
                ? await writeFromTask(generator, p, n, {
                    temperature: run.sampling?.temperature ?? DEFAULT_SAMPLING.temperature,
                    maxTokens,
                    ...(run.signal ? { signal: run.signal } : {}),
                    judge: judgeGenerator,
                    ...(run.judgeOptions ? { judgeOptions: run.judgeOptions } : {}),
                  }).catch((err: unknown) => {
                    throw asPassageTooLong(err);
                  })
                : await rewriteText(p, n, generator, judgeGenerator);
              if (written === 'cancelled') return;
              if (written === 'empty')
                throw new EmptyRewriteError('the model wrote nothing usable (empty after clean-up)');
              // Without a token count up front, the first output shows the prompt's size.
              if (room !== undefined && written.promptTokens + maxTokens > room)
                throw tooLongPassage(written.promptTokens, room);
              const j = await judgeOf();
              const verdict =
                written.verdict ??
                (await judgeText(await judgeGenerator(), p.rubricRef, written.text, {
                  ...run.judgeOptions,
                  ...(run.signal ? { signal: run.signal } : {}),
                }));
              const judgements = written.verdict ? written.judgements : 1;
              const seconds = (performance.now() - t0) / 1000;
              const sample: EvalSample = {
                v: 1,
                textId: p.textId,
                rubric: p.rubric,
                level: p.level,
                target: p.target,
                mode: p.mode,
                model: p.model,
                ...(p.modelFingerprint ? { modelFingerprint: p.modelFingerprint } : {}),
                ...(p.adapters ? { adapters: p.adapters } : {}),
                ...(n > 1 ? { bestOf: n, judgements } : {}),
                ...(tasks ? { task: true } : {}),
                sample: p.sample,
                output: written.text,
                truncated: written.truncated,
                score: verdict.score,
                critique: verdict.critique,
                judge: j.name,
                ...(judgeFingerprint() ? { judgeFingerprint: judgeFingerprint() } : {}),
                judgePrompt: JUDGE_PROMPT_VERSION,
                seed: p.seed,
                seconds: Number(seconds.toFixed(3)),
                time: new Date().toISOString(),
              };
              await writer.append(sample);
              have.set(evalSampleKey(sample), sample);
              plannedPresent++;
              made++;
              madeSeconds += seconds;
              ok = true;
              failuresInARow = 0;
            } catch (err) {
              if (err instanceof JudgeCancelledError || cancelled()) return;
              if (err instanceof EvalStoppedError || err instanceof EvalConfigError) throw err;
              const long = err instanceof TooLongError && passageTooLong.has(err) ? err : undefined;
              if (long) {
                // Bounded work: the passage cannot fit with this model, so none of its samples are tried again.
                // With --concurrency, samples of one passage in flight together may each find it: named once.
                skip(p, long.tokens, long.contextSize);
                message =
                  `skipped: its prompt is ${long.tokens} tokens, and with --max-tokens ${maxTokens} ` +
                  `it does not fit a ${long.contextSize}-token context`;
                return;
              }
              // An answer the judge could not read, or an empty rewrite, belongs to this sample; anything
              // else (a crashed engine, a dropped server) every further sample would repeat.
              if (!(err instanceof JudgeError || err instanceof EmptyRewriteError))
                throw new EvalStoppedError(`${what}: ${errorMessage(err)}`, samplesFile, present());
              message = errorMessage(err);
              failures.push({ what, message });
              logger.warn(`${what}: ${message}`);
              const tries = await attempts.record(evalSampleKey(p), what, message);
              if (tries >= MAX_ATTEMPTS) {
                givenUp.push({ what, attempts: tries, message });
                logger.warn(`${what}: given up after ${tries} failed attempts; it is not tried again`);
              }
              if (++failuresInARow >= MAX_FAILURES_IN_A_ROW)
                throw new EvalStoppedError(
                  `${MAX_FAILURES_IN_A_ROW} samples in a row failed; the last: ${message}`,
                  samplesFile,
                  present(),
                );
            } finally {
              if (!cancelled()) {
                done++;
                const left = total - done;
                run.onProgress?.({
                  done,
                  total,
                  failed: failures.length,
                  model: model.name,
                  ...(made ? { etaSeconds: (madeSeconds / made) * left } : {}),
                  item: { what, ok, ...(message ? { message } : {}) },
                });
              }
            }
          },
        );
        plannedSkipped += plan.filter((p) => tooLong.has(p.textId) && !have.has(evalSampleKey(p))).length;
      } finally {
        await model.dispose();
      }
    }
  } catch (err) {
    await writer.close();
    await attempts.close();
    // What was made is kept and reported before the error is passed on.
    await finish('incomplete').catch((e: unknown) => logger.warn(`could not write the report: ${errorMessage(e)}`));
    throw err;
  }
  await writer.close();
  const status: EvalOutcome['status'] = cancelled()
    ? 'cancelled'
    : plannedPresent + plannedSkipped + givenUp.length < perModel * run.models.length
      ? 'incomplete'
      : 'complete';
  return finish(status);
}
