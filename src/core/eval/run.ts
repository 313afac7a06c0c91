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
import { JUDGE_PROMPT_VERSION, JudgeCancelledError, JudgeError, judgeText, type LazyGenerator } from '../judge';
import { type Logger, silentLogger } from '../log';
import type { PromptMode } from '../prompts/types';
import { MAX_BEST_OF } from '../rewrite/best-of';
import { DEFAULT_SAMPLING } from '../rewrite/run';
import { rewrite } from '../rewrite/use-case';
import type { ModelRef, Sampling } from '../rewrite/types';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { type ReportFiles, writeReportFiles } from './files';
import { SampleWriter, evalModelIdentity, evalSampleKey, readEvalSamples } from './samples';
import type { EvalReport, EvalSample, EvalText, SampleAdapter, SkippedText } from './types';
import { fnv1a } from '../text';

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
  /** For the prompt and the record (name and file). */
  ref: ModelRef;
  dispose(): Promise<void>;
}

export interface EvalRun {
  outDir: string;
  /** Evaluated in this order, one loaded at a time. */
  models: ReadonlyArray<{ label: string; open: () => Promise<EvalModelHandle> }>;
  /**
   * A second model that judges every rewrite, loaded when first needed; without one each model judges its own rewrites.
   */
  judge?: LazyGenerator;
  /** The judge's content fingerprint, once it is loaded (a local file), recorded in each sample. */
  judgeFingerprint?: () => string | undefined;
  rubrics: readonly Rubric[];
  texts: readonly EvalText[];
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
   * Samples attempted in this run, and the most there are left to attempt (it shrinks as models load and show what they
   * have).
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
   * complete: every planned sample exists; incomplete: some failed (run again to retry them); cancelled: the signal
   * fired.
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
      `${message}; the ${present} sample${present === 1 ? '' : 's'} made so far ${present === 1 ? 'is' : 'are'} ` +
        `kept in ${samplesFile}: run again to continue`,
    );
  }
}

const MAX_FAILURES_IN_A_ROW = 5;

/** The model answered, but nothing was left of its rewrite after clean-up: a failure of this sample only. */
class EmptyRewriteError extends CptError<'EMPTY_REWRITE'> {
  constructor(message: string) {
    super('EMPTY_REWRITE', message);
    this.name = 'EmptyRewriteError';
  }
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
      `${samplesFile} holds samples scored with another version of the judge's prompt (${stale.judgePrompt}, now ` +
        `${JUDGE_PROMPT_VERSION}): use another output folder`,
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

  const finish = async (status: EvalOutcome['status']): Promise<EvalOutcome> => {
    const all = await readEvalSamples(samplesFile, { missingOk: true });
    const { report, files } = await writeReportFiles(run.outDir, all.samples, [samplesFile], all.skipped, skippedTexts);
    return {
      status,
      planned: perModel * run.models.length - plannedSkipped,
      present: plannedPresent,
      made,
      failures,
      notices,
      skippedTexts,
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
              `${samplesFile} already holds ${model.name} (${other.mode}) judged by ${other.judge}; this run's ` +
                `judge is ${name}: use another output folder or the same judge`,
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
        // --concurrency N: N samples at once; with a local model as parallel sequences (core/engine/work-pool).
        await workPool(
          jobs,
          { limit: run.concurrency ?? 1, stop: cancelled, generator: model.generator },
          async (p, generator) => {
            if (cancelled()) return;
            const n = p.bestOf ?? 1;
            const what = `${p.textId}/${p.rubric}/L${p.level}/s${p.sample} (${p.mode}${n > 1 ? `, best-of-${n}` : ''})`;
            if (tooLong.has(p.textId)) {
              total--;
              return;
            }
            let ok = false;
            let message: string | undefined;
            const t0 = performance.now();
            // Only the rewrite's own prompt can make the passage too long; a later judge's refusal is not the
            // passage's.
            let rewriteDone = false;
            try {
              // No context size: an eval text is rewritten whole, in one part, as its sample records.
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
                  // Best-of-N through the one rewrite function, judged by the eval's own judge and options.
                  ...(n > 1
                    ? {
                        bestOf: n,
                        judge: {
                          generator: async () => {
                            const j = await judgeOf();
                            return j.generator === model.generator ? generator : j.generator;
                          },
                          ...(run.judgeOptions ? { options: run.judgeOptions } : {}),
                        },
                      }
                    : {}),
                },
              );
              if (rewritten.status === 'cancelled') return;
              const room = model.contextSize;
              // A best-of result sums its N candidates' prompts; the passage's own prompt is one candidate's.
              const tokens =
                rewritten.status === 'done'
                  ? rewritten.proposals[0].result.promptTokens
                  : Math.round(rewritten.result.promptTokens / n);
              if (room !== undefined && tokens + maxTokens > room) throw new TooLongError(tokens, room);
              if (rewritten.status === 'empty')
                throw new EmptyRewriteError('the model wrote nothing usable (empty after clean-up)');
              // Best-of-N puts the candidate nearest the target first, with the judge's verdict on it.
              const outcome = rewritten.proposals[0];
              rewriteDone = true;
              const j = await judgeOf();
              // A model judging its own rewrites judges through its worker too: batched with the others.
              const judging = j.generator === model.generator ? generator : j.generator;
              const verdict =
                outcome.candidate ??
                (await judgeText(judging, p.rubricRef, outcome.text, {
                  ...run.judgeOptions,
                  ...(run.signal ? { signal: run.signal } : {}),
                }));
              const judgements = outcome.candidate ? n - rewritten.empty : 1;
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
                sample: p.sample,
                output: outcome.text,
                truncated: outcome.cutOff > 0,
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
              // A passage whose prompt and token limit do not fit the model's context: skipped, never retried.
              const long = rewriteDone ? undefined : tooLongOf(err);
              if (long) {
                // Bounded work: the passage cannot fit with this model, so none of its samples are tried again.
                // With --concurrency, samples of one passage in flight together may each find it: named once.
                const first = !tooLong.has(p.textId);
                tooLong.add(p.textId);
                if (first)
                  skippedTexts.push({
                    textId: p.textId,
                    model: model.name,
                    tokens: long.tokens,
                    contextSize: long.contextSize,
                  });
                message =
                  `skipped: its prompt is ${long.tokens} tokens, and with --max-tokens ${maxTokens} it ` +
                  `does not fit a ${long.contextSize}-token context`;
                if (first) logger.warn(`${p.textId}: ${message}`);
                return;
              }
              // An answer the judge could not read, or an empty rewrite, belongs to this sample; anything
              // else (a crashed engine, a dropped server) every further sample would repeat.
              if (!(err instanceof JudgeError || err instanceof EmptyRewriteError))
                throw new EvalStoppedError(`${what}: ${errorMessage(err)}`, samplesFile, present());
              message = errorMessage(err);
              failures.push({ what, message });
              logger.warn(`${what}: ${message}`);
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
    // What was made is kept and reported before the error is passed on.
    await finish('incomplete').catch((e: unknown) => logger.warn(`could not write the report: ${errorMessage(e)}`));
    throw err;
  }
  await writer.close();
  const status: EvalOutcome['status'] = cancelled()
    ? 'cancelled'
    : plannedPresent + plannedSkipped < perModel * run.models.length
      ? 'incomplete'
      : 'complete';
  return finish(status);
}
