// The "generate preference data" use case, shared by the CLI and (next) the editor command: a teacher
// writes every task at several levels of each rubric, each output is appended to DIR/samples.jsonl the
// moment it is finished, and the swap trick turns them into DPO pairs. A re-run does only what is missing.
import { workPool } from '../engine/work-pool';
import { generateCard } from './card';
import { writeDatasetCard } from '../pairs/card';
import { splitPairs } from '../pairs/split';
import { onLevel } from '../eval/metrics';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { endpointErrorCode } from '../endpoint/errors';
import { engineErrorCode, type TextGenerator } from '../engine/types';
import { CptError, errorMessage, tooLongOf } from '../errors';
import type { JudgeOptions, Judgement } from '../judge';
import { type Logger, silentLogger } from '../log';
import { flatPairsToJsonl, pairsToJsonl, testSplitPath, writeFileAtomic } from '../pairs/export';
import { cleanRewrite } from '../rewrite/cleanup';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { GenerateConfigError, checkConfig, makeConfig, teacherRubricHash } from './config';
import {
  type DirectivesFile,
  cleanDirective,
  emptyDirectives,
  readDirectivesFile,
  writeDirectivesFile,
} from './directives-file';
import { swapTrickPairs } from './pairs';
import { LEVEL_QUALIFIER, TEACHER_PROMPT_VERSION, studentPrompt, summarizePrompt, teacherPrompt } from './prompts';
import { formatGenerateReport } from './report';
import { SampleWriter, readSamples, sampleKey } from './samples';
import { fnv1a } from '../text';
import { AttemptLog, MAX_ATTEMPTS, type GivenUp } from '../jsonl/attempts';
import type {
  GenerateFailure,
  GenerateProgress,
  GenerateSample,
  GenerateSampling,
  GenerateTask,
  InputKind,
  InputProblem,
  LevelCounts,
  SkippedTask,
} from './types';

/** The judge's core call (core/judge's judgeText; a test may pass its own). */
export type JudgeTextFn = (
  generator: TextGenerator,
  rubric: Rubric,
  text: string,
  options?: JudgeOptions,
) => Promise<Judgement>;
export type NearestLevelFn = (score: number, levels: readonly Level[]) => Level;

export interface GenerateJudge {
  generator: TextGenerator;
  /** How the judge is named in samples and the report. */
  name: string;
  judgeText: JudgeTextFn;
  nearestLevel: NearestLevelFn;
}

export interface GenerateRun {
  outDir: string;
  kind: InputKind;
  tasks: readonly GenerateTask[];
  rubrics: readonly Rubric[];
  /** At least two: the swap trick contrasts levels. */
  levels: readonly Level[];
  /** Outputs per task × rubric × level (default 1). */
  samples?: number;
  /** The passages' language id (texts), as the extension would pass it (default plaintext). */
  languageId?: string;
  /** The teacher condenses each rubric × level into a directive, which becomes the student system prompt. */
  summarize?: boolean;
  sampling?: Partial<GenerateSampling>;
  /** Requests in flight at once (default 1). */
  concurrency?: number;
  teacher: {
    generator: TextGenerator;
    name: string;
    /**
     * A local teacher's context size and token counter (EngineClient.promptTokens): an input whose teacher
     * prompt and maxTokens cannot fit is skipped before any request, named and counted. Without them
     * (a server), an engine's refusal of a too-long prompt skips the input the same way.
     */
    contextSize?: number;
    countTokens?: (system: string, user: string) => Promise<number>;
  };
  judge?: GenerateJudge;
  /**
   * Keep only outputs the judge placed strictly nearest their own level's target (needs judge); the tie
   * rule is core/eval's onLevel, the same as eval's accuracy.
   */
  filter?: boolean;
  /** Pair outputs that stopped at the token limit too (default: they are left out of the pairs and counted). */
  keepTruncated?: boolean;
  /** Also write the pairs in the flat form here. */
  flat?: string;
  /** Hold out this share of the pairs (whole groups about one input) as pairs.test.jsonl, for the card's test split. */
  testSplit?: { testFraction: number; seed: number };
  /**
   * Content fingerprints of a local teacher and judge (with their adapters' as FINGERPRINT×SCALE after a
   * "+"), recorded in each sample and the dataset card.
   */
  fingerprints?: { teacher?: string; judge?: string };
  /** Where the tasks came from and the lines that were not used, for the report. */
  input?: { file: string; problems: readonly InputProblem[] };
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateFiles {
  samples: string;
  pairs: string;
  report: string;
  config: string;
  flat?: string;
  directives?: string;
  /** The dataset card (README.md), unless the folder holds a README.md of its own. */
  card: string;
  testPairs?: string;
}

export interface GenerateOutcome {
  /** complete: every planned output exists; incomplete: some failed (re-run to retry them); stopped: a
   * failure that every request would repeat ended the run; cancelled: the signal fired. */
  status: 'complete' | 'incomplete' | 'stopped' | 'cancelled';
  stopReason?: string;
  files: GenerateFiles;
  planned: number;
  /** Planned outputs that exist now (made earlier or in this run). */
  present: number;
  /** Made in this run. */
  made: number;
  /** Judged in this run. */
  judged: number;
  requests: number;
  pairs: number;
  identicalSkipped: number;
  failures: GenerateFailure[];
  /** Repairs and skipped lines in the files read. */
  notices: string[];
  counts: LevelCounts[];
  /** Inputs left out as too long for the teacher's context (their outputs are neither made nor missing). */
  skipped: SkippedTask[];
  /**
   * Outputs (and judgements, named "KEY (judge)") that failed MAX_ATTEMPTS times over this and earlier runs
   * (DIR/failures.jsonl): not tried again, and no longer counted as missing.
   */
  givenUp: GivenUp[];
  /** DIR/report.md's text. */
  report: string;
}

export const DEFAULT_GENERATE_SAMPLING: Readonly<GenerateSampling> = { temperature: 0.7, maxTokens: 1024 };
/** Token budget for a summarized directive request; the directive itself is cut to 256 tokens. */
const DIRECTIVE_MAX_TOKENS = 512;
/** This many per-output failures in a row (empty answers) mean the teacher is not working: stop. */
const MAX_FAILURES_IN_A_ROW = 5;

/** Each output's own seed, so K samples at one level differ yet a re-run with --seed asks the same. */
function seedFor(base: number | undefined, key: string): number | undefined {
  return base === undefined ? undefined : (base + fnv1a(key)) % 0x7fffffff;
}

/** The teacher answered, but nothing was left after clean-up. */
class EmptyOutputError extends CptError<'EMPTY_OUTPUT'> {
  constructor(message: string) {
    super('EMPTY_OUTPUT', message);
    this.name = 'EmptyOutputError';
  }
}

/**
 * Failures every later request would repeat (server down, bad key, crashed engine) stop the run; an empty answer does
 * not.
 */
function stopsTheRun(err: unknown, role: 'teacher' | 'judge'): boolean {
  // A prompt too long for the context is this task's own: the other tasks may fit.
  if (err instanceof EmptyOutputError || tooLongOf(err)) return false;
  const endpoint = endpointErrorCode(err);
  if (endpoint) return endpoint !== 'EMPTY_RESPONSE';
  if (engineErrorCode(err)) return true;
  // The judge's own failures (an answer it could not read) belong to that one output.
  return role === 'teacher';
}

/** Runs `jobs` with at most `limit` in flight; `stop()` returning true ends the scheduling of new ones. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  stop: () => boolean,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop() && next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

interface PlannedOutput {
  key: string;
  task: GenerateTask;
  rubric: Rubric;
  level: Level;
  sample: number;
}

export async function runGenerate(run: GenerateRun): Promise<GenerateOutcome> {
  const logger = run.logger ?? silentLogger;
  const K = run.samples ?? 1;
  const concurrency = run.concurrency ?? 1;
  if (!run.tasks.length) throw new Error('nothing to generate: there are no tasks');
  if (!run.rubrics.length) throw new Error('nothing to generate: no rubric was given');
  if (new Set(run.levels).size < 2)
    throw new Error('give at least two levels: the swap trick pairs outputs made at different levels');
  if (!Number.isInteger(K) || K < 1) throw new Error(`samples must be a whole number of at least 1, got ${K}`);
  if (run.filter && !run.judge) throw new Error('filtering needs a judge');
  const levels = [...new Set(run.levels)].sort((a, b) => a - b);
  const sampling: GenerateSampling = { ...DEFAULT_GENERATE_SAMPLING, ...run.sampling };
  const languageId = run.languageId ?? 'plaintext';

  await fs.mkdir(run.outDir, { recursive: true });
  const files: GenerateFiles = {
    samples: path.join(run.outDir, 'samples.jsonl'),
    pairs: path.join(run.outDir, 'pairs.jsonl'),
    report: path.join(run.outDir, 'report.md'),
    config: path.join(run.outDir, 'config.json'),
    card: path.join(run.outDir, 'README.md'),
    ...(run.testSplit ? { testPairs: testSplitPath(path.join(run.outDir, 'pairs.jsonl')) } : {}),
    ...(run.flat ? { flat: run.flat } : {}),
    ...(run.summarize ? { directives: path.join(run.outDir, 'directives.json') } : {}),
  };
  const notices: string[] = [];
  const read = await readSamples(files.samples);
  if (read.repaired) notices.push(`${files.samples}: ${read.repaired}`);
  for (const s of read.skipped)
    notices.push(`${files.samples}:${s.line}: skipped (${s.reason}); its output will be made again`);
  for (const n of notices) logger.warn(n);
  const samples = read.samples;

  const config = makeConfig({
    kind: run.kind,
    teacher: run.teacher.name,
    summarize: !!run.summarize,
    sampling,
    languageId,
    teacherPrompt: TEACHER_PROMPT_VERSION,
    rubrics: run.rubrics,
  });
  // Directives are data too: ones summarized by another teacher must not become this run's prompts.
  const hasDirectives = await fs.access(path.join(run.outDir, 'directives.json')).then(
    () => true,
    () => false,
  );
  await checkConfig(run.outDir, config, samples.size > 0 || read.skipped.length > 0 || hasDirectives);

  // Directives (--summarize): read what exists and refuse ones made from another version of a rubric.
  let directives: DirectivesFile | undefined;
  if (run.summarize) {
    directives = (await readDirectivesFile(files.directives!)) ?? emptyDirectives(run.teacher.name, run.kind);
    const stale = run.rubrics.filter(
      (r) => directives!.rubrics[r.id] && directives!.rubrics[r.id].hash !== teacherRubricHash(r),
    );
    if (stale.length)
      throw new GenerateConfigError(
        run.outDir,
        stale.map((r) => `directives.json holds directives made from another version of the rubric '${r.id}'`),
      );
  }
  const directiveOf = (rubric: Rubric, level: Level): string | undefined =>
    directives?.rubrics[rubric.id]?.levels[level];

  const plan: PlannedOutput[] = [];
  for (const task of run.tasks) {
    for (const rubric of run.rubrics) {
      for (let sample = 0; sample < K; sample++) {
        for (const level of levels)
          plan.push({ key: sampleKey({ id: task.id, rubric: rubric.id, level, sample }), task, rubric, level, sample });
      }
    }
  }
  const expected = (p: PlannedOutput) =>
    studentPrompt(p.rubric, p.level, run.kind, p.task.text, {
      languageId,
      directive: run.summarize ? directiveOf(p.rubric, p.level) : undefined,
    });

  // Samples already in DIR must carry exactly the prompts this run would store, or the data set would
  // teach two prompts for one style. Checked before any request.
  const mismatches: string[] = [];
  for (const p of plan) {
    const have = samples.get(p.key);
    if (!have) continue;
    if (run.summarize && !directiveOf(p.rubric, p.level)) {
      mismatches.push(`${p.key} exists but directives.json has no directive for ${p.rubric.id} level ${p.level}`);
    } else {
      const want = expected(p);
      if (have.user !== want.user)
        mismatches.push(
          `${p.key} was made from a different text or prompt for '${p.task.id}' (the input changed under the same id)`,
        );
      else if (have.system !== want.system)
        mismatches.push(
          `${p.key} has another system prompt than ${p.rubric.id} level ${p.level} gives now (its directive changed)`,
        );
    }
    if (mismatches.length >= 5) break;
  }
  if (mismatches.length) throw new GenerateConfigError(run.outDir, mismatches);

  const failures: GenerateFailure[] = [];
  let stopReason: string | undefined;
  let failuresInARow = 0;
  let requests = 0;
  const stopped = () => stopReason !== undefined || !!run.signal?.aborted;
  const fail = (what: string, err: unknown, role: 'teacher' | 'judge') => {
    // After Ctrl+C the requests in flight end in errors (a terminal's SIGINT also stops the engine
    // process); they are cancelled work, not failures.
    if (run.signal?.aborted) return;
    const message = errorMessage(err);
    failures.push({ what, message });
    logger.warn(`${what}: ${message}`);
    if (stopsTheRun(err, role)) stopReason ??= message;
    else if (role === 'teacher' && ++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
      stopReason ??= `${MAX_FAILURES_IN_A_ROW} outputs in a row failed; the last: ${message}`;
    }
  };

  // Phase 1: the directives that are missing.
  if (run.summarize) {
    const missing = run.rubrics.flatMap((rubric) =>
      levels.filter((l) => !directiveOf(rubric, l)).map((level) => ({ rubric, level })),
    );
    let done = 0;
    let writes = Promise.resolve();
    await pool(missing, concurrency, stopped, async ({ rubric, level }) => {
      const what = `directive ${rubric.id}/L${level}`;
      let ok = false;
      try {
        const prompt = summarizePrompt(rubric, level, run.kind);
        requests++;
        const r = await run.teacher.generator.generate({
          ...prompt,
          maxTokens: Math.min(DIRECTIVE_MAX_TOKENS, sampling.maxTokens),
          temperature: sampling.temperature,
          ...(seedFor(sampling.seed, what) !== undefined ? { seed: seedFor(sampling.seed, what) } : {}),
          ...(run.signal ? { signal: run.signal } : {}),
        });
        if (r.stopReason === 'aborted') return;
        const directive = cleanDirective(r.text);
        const entry = (directives!.rubrics[rubric.id] ??= {
          title: rubric.title,
          hash: teacherRubricHash(rubric),
          levels: {},
        });
        entry.levels[level] = directive;
        writes = writes.then(() => writeDirectivesFile(files.directives!, directives!));
        await writes;
        ok = true;
        failuresInARow = 0;
      } catch (err) {
        fail(what, err, 'teacher');
      } finally {
        done++;
        run.onProgress?.({
          phase: 'directives',
          done,
          total: missing.length,
          failed: failures.length,
          item: { what, ok, ...(ok ? {} : { message: failures[failures.length - 1]?.message }) },
        });
      }
    });
  }

  // Phase 2: the outputs that are missing, and judging what has no score from this judge.
  // No output or judgement is retried for ever: failed attempts are counted across runs (DIR/failures.jsonl),
  // and after MAX_ATTEMPTS the item is given up, named and counted, instead of keeping every run incomplete.
  const attempts = await AttemptLog.open(path.join(run.outDir, 'failures.jsonl'));
  const givenUp: GivenUp[] = [];
  /** Keys of planned outputs given up (not present): they no longer count as missing. */
  const givenUpOutputs = new Set<string>();
  const giveUp = (g: GivenUp, key: string, output: boolean) => {
    givenUp.push(g);
    if (output) givenUpOutputs.add(key);
  };
  const jobs = plan.filter((p) => {
    const have = samples.get(p.key);
    const key = have ? `${p.key} (judge)` : p.key;
    const gone = attempts.givenUp(key, key);
    if (gone) {
      giveUp(gone, p.key, !have);
      logger.warn(
        `${key}: given up after ${gone.attempts} failed attempts (the last: ${gone.message}); not tried again`,
      );
      return false;
    }
    if (!have) return !run.summarize || !!directiveOf(p.rubric, p.level);
    return !!run.judge && (have.score === undefined || have.judge !== run.judge.name);
  });
  /** Counts a failure of the item itself (never one every request would share) towards giving it up. */
  const recordAttempt = async (key: string, err: unknown, role: 'teacher' | 'judge', output: boolean) => {
    if (run.signal?.aborted || stopsTheRun(err, role)) return;
    const tries = await attempts.record(key, key, errorMessage(err));
    if (tries < MAX_ATTEMPTS) return;
    giveUp({ what: key, attempts: tries, message: errorMessage(err) }, key, output);
    logger.warn(`${key}: given up after ${tries} failed attempts; it is not tried again`);
  };
  // Bounded work, up front: the teacher prompt of every output still to make is counted with the teacher's
  // own tokenizer, and an input whose prompt and maxTokens cannot fit the context is skipped before any
  // request (one warning naming it; counted in the report and the card), so one long passage never stops
  // the run or is tried again and again.
  const skipped: SkippedTask[] = [];
  const skippedIds = new Set<string>();
  const skipTask = (id: string, tokens: number, contextSize: number) => {
    if (skippedIds.has(id)) return;
    skippedIds.add(id);
    skipped.push({ id, tokens, contextSize });
    logger.warn(
      `${id}: skipped: the teacher's prompt is ${tokens} tokens, and with maxTokens ${sampling.maxTokens} ` +
        `it does not fit a ${contextSize}-token context`,
    );
  };
  const { countTokens, contextSize } = run.teacher;
  if (countTokens && contextSize !== undefined) {
    const largest = new Map<string, number>();
    for (const p of jobs) {
      if (samples.get(p.key) || run.signal?.aborted) continue;
      const prompt = teacherPrompt(p.rubric, p.level, run.kind, expected(p).user);
      const tokens = await countTokens(prompt.system, prompt.user);
      largest.set(p.task.id, Math.max(tokens, largest.get(p.task.id) ?? 0));
    }
    for (const [id, tokens] of largest)
      if (tokens + sampling.maxTokens > contextSize) skipTask(id, tokens, contextSize);
  }
  const runnable = jobs.filter((p) => !skippedIds.has(p.task.id) || samples.has(p.key));
  let made = 0;
  let judged = 0;
  let done = 0;
  const writer = await SampleWriter.open(files.samples);
  try {
    // With a local teacher the outputs in flight are parallel sequences of one model (core/engine/work-pool).
    await workPool(
      runnable,
      { limit: concurrency, stop: stopped, generator: run.teacher.generator },
      async (p, teacher) => {
        const what = p.key;
        if (skippedIds.has(p.task.id) && !samples.has(p.key)) return;
        let ok = false;
        let message: string | undefined;
        let judgeFailed = false;
        try {
          let sample = samples.get(p.key);
          if (!sample) {
            const student = expected(p);
            const prompt = teacherPrompt(p.rubric, p.level, run.kind, student.user);
            const seed = seedFor(sampling.seed, p.key);
            requests++;
            const r = await teacher.generate({
              ...prompt,
              maxTokens: sampling.maxTokens,
              temperature: sampling.temperature,
              ...(seed !== undefined ? { seed } : {}),
              ...(run.signal ? { signal: run.signal } : {}),
            });
            if (r.stopReason === 'aborted') return;
            const output = cleanRewrite(run.kind === 'texts' ? p.task.text : '', r.text);
            if (!output.trim()) throw new EmptyOutputError('the teacher wrote nothing usable (empty after clean-up)');
            sample = {
              v: 1,
              id: p.task.id,
              sample: p.sample,
              rubric: p.rubric.id,
              level: p.level,
              target: LEVEL_TARGET_SCORE[p.level],
              qualifier: LEVEL_QUALIFIER[p.level],
              system: student.system,
              user: student.user,
              output,
              teacher: run.teacher.name,
              ...(run.fingerprints?.teacher ? { teacherFingerprint: run.fingerprints.teacher } : {}),
              ...(r.stopReason === 'maxTokens' ? { truncated: true } : {}),
              time: new Date().toISOString(),
            };
            failuresInARow = 0;
            made++;
          }
          if (run.judge) {
            try {
              const verdict = await run.judge.judgeText(run.judge.generator, p.rubric, sample.output, {
                ...(run.signal ? { signal: run.signal } : {}),
              });
              if (!run.signal?.aborted) {
                sample = {
                  ...sample,
                  score: verdict.score,
                  critique: verdict.critique,
                  judge: run.judge.name,
                  ...(run.fingerprints?.judge ? { judgeFingerprint: run.fingerprints.judge } : {}),
                };
                judged++;
              }
            } catch (err) {
              // The output is kept (written below without a score); the next run judges it again.
              if (!run.signal?.aborted) {
                judgeFailed = true;
                message = `judge: ${errorMessage(err)}`;
                fail(`${what} (judge)`, err, 'judge');
                await recordAttempt(`${what} (judge)`, err, 'judge', false);
              }
            }
          }
          if (sample !== samples.get(p.key)) {
            await writer.append(sample);
            samples.set(p.key, sample);
          }
          ok = !judgeFailed;
        } catch (err) {
          const long = tooLongOf(err);
          if (long) {
            // The engine refused the prompt: the input is skipped like one found too long up front.
            skipTask(p.task.id, long.tokens, long.contextSize);
            message = `skipped: too long for a ${long.contextSize}-token context`;
          } else {
            fail(what, err, 'teacher');
            message = errorMessage(err);
            await recordAttempt(what, err, 'teacher', true);
          }
        } finally {
          done++;
          run.onProgress?.({
            phase: 'outputs',
            done,
            total: runnable.length,
            failed: failures.length,
            item: { what, ok, ...(message ? { message } : {}) },
          });
        }
      },
    );
  } finally {
    await writer.close();
    await attempts.close();
  }

  // Pairs and the report, from the planned outputs that exist: also after a stop or Ctrl+C, so nothing
  // made so far is out of the data set.
  const present = plan.map((p) => samples.get(p.key)).filter((s): s is GenerateSample => !!s);
  const counts: LevelCounts[] = [];
  const kept: GenerateSample[] = [];
  for (const rubric of run.rubrics) {
    for (const level of levels) {
      const here = present.filter((s) => s.rubric === rubric.id && s.level === level);
      const scored = here.filter((s) => typeof s.score === 'number' && (!run.judge || s.judge === run.judge.name));
      const onTarget =
        run.filter && run.judge ? scored.filter((s) => levels.length < 2 || onLevel(s.score!, level, levels)) : here;
      // A truncated output is a text cut off at the token limit, not a finished one: out of the pairs by default.
      const keep = run.keepTruncated ? onTarget : onTarget.filter((s) => !s.truncated);
      for (const s of keep) kept.push(s);
      counts.push({
        truncated: here.filter((s) => s.truncated).length,
        rubric: rubric.id,
        level,
        planned: run.tasks.length * K,
        present: here.length,
        scored: scored.length,
        kept: keep.length,
        dropped: here.length - keep.length,
        ...(scored.length ? { meanScore: scored.reduce((a, s) => a + s.score!, 0) / scored.length } : {}),
      });
    }
  }
  const order = new Map(present.map((s, i) => [s, i]));
  kept.sort((a, b) => order.get(a)! - order.get(b)!);
  const { pairs: allPairs, identical } = swapTrickPairs(kept);
  const split = run.testSplit && allPairs.length ? splitPairs(allPairs, run.testSplit) : undefined;
  const pairs = split ? split.train : allPairs;
  await writeFileAtomic(files.pairs, pairsToJsonl(pairs));
  if (files.testPairs) await writeFileAtomic(files.testPairs, pairsToJsonl(split?.test ?? []));
  if (files.flat) await writeFileAtomic(files.flat, flatPairsToJsonl(allPairs));

  // Outputs of skipped inputs are neither made nor missing: they are counted as skipped.
  const skippedPlanned = plan.filter(
    (p) => (skippedIds.has(p.task.id) || givenUpOutputs.has(p.key)) && !samples.has(p.key),
  ).length;
  const status: GenerateOutcome['status'] = run.signal?.aborted
    ? 'cancelled'
    : stopReason !== undefined
      ? 'stopped'
      : present.length + skippedPlanned < plan.length
        ? 'incomplete'
        : 'complete';
  const outcome: Omit<GenerateOutcome, 'report'> = {
    status,
    ...(stopReason !== undefined ? { stopReason } : {}),
    files,
    planned: plan.length - skippedPlanned,
    present: present.length,
    made,
    judged,
    requests,
    pairs: pairs.length,
    identicalSkipped: identical,
    failures,
    notices,
    counts,
    skipped,
    givenUp,
  };
  const report = formatGenerateReport({
    outcome,
    teacher: run.teacher.name,
    judge: run.judge?.name,
    filter: !!run.filter,
    keepTruncated: !!run.keepTruncated,
    kind: run.kind,
    levels,
    samplesPerLevel: K,
    rubrics: run.rubrics.map((r) => r.id),
    tasks: run.tasks.length,
    input: run.input,
    summarize: !!run.summarize,
  });
  await writeFileAtomic(files.report, report);
  const written = await writeDatasetCard(
    files.card,
    generateCard({
      splits: { train: 'pairs.jsonl', ...(files.testPairs ? { test: path.basename(files.testPairs) } : {}) },
      pairs: { train: pairs.length, test: split?.test.length ?? 0 },
      rubrics: run.rubrics.map((r) => ({ id: r.id, title: r.title })),
      levels,
      counts,
      teacher: {
        name: run.teacher.name,
        ...(run.fingerprints?.teacher ? { fingerprint: run.fingerprints.teacher } : {}),
      },
      ...(run.judge
        ? {
            judge: {
              name: run.judge.name,
              ...(run.fingerprints?.judge ? { fingerprint: run.fingerprints.judge } : {}),
            },
          }
        : {}),
      promptMode: run.summarize ? 'directive (directives summarized by the teacher)' : 'directive',
      kind: run.kind,
      inputs: run.tasks.length,
      missing: plan.length - skippedPlanned - present.length,
      skipped: skipped.length,
      givenUp: givenUpOutputs.size,
      keepTruncated: !!run.keepTruncated,
      filter: !!run.filter,
    }),
  );
  if (!written)
    logger.warn(`${files.card} is not a card this command wrote: left as it is, and no dataset card written`);
  return { ...outcome, report };
}
