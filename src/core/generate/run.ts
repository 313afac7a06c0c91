// The "generate preference data" use case, shared by the CLI and (next) the editor command: a teacher
// writes every task at several levels of each rubric, each output is appended to DIR/samples.jsonl the
// moment it is finished, and the swap trick turns them into DPO pairs. A re-run does only what is missing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { workPool } from '../engine/work-pool';
import { errorMessage, tooLongOf } from '../errors';
import { AttemptLog, MAX_ATTEMPTS, type GivenUp } from '../jsonl/attempts';
import { silentLogger } from '../log';
import { writeDatasetCard } from '../pairs/card';
import { flatPairsToJsonl, pairsToJsonl, testSplitPath, writeFileAtomic } from '../pairs/export';
import { splitPairs } from '../pairs/split';
import { cleanRewrite } from '../rewrite/cleanup';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { generateCard } from './card';
import { GenerateConfigError, checkConfig, makeConfig, teacherRubricHash } from './config';
import { type DirectivesFile, emptyDirectives, readDirectivesFile } from './directives-file';
import { swapTrickPairs } from './pairs';
import { RunLedger, EmptyOutputError, stopsTheRun } from './ledger';
import { outputSeed, planOutputs, promptMismatches, type PlannedOutput } from './plan';
import { LEVEL_QUALIFIER, TEACHER_PROMPT_VERSION, studentPrompt, teacherPrompt } from './prompts';
import { formatGenerateReport } from './report';
import { DEFAULT_GENERATE_SAMPLING, type GenerateFiles, type GenerateOutcome, type GenerateRun } from './run-types';
import { SampleWriter, readSamples } from './samples';
import { selectForPairs } from './select';
import { summarizeMissing } from './summarize';
import type { GenerateSample, GenerateSampling, SkippedTask } from './types';

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

  const plan = planOutputs(run.tasks, run.rubrics, K, levels);
  const expected = (p: PlannedOutput) =>
    studentPrompt(p.rubric, p.level, run.kind, p.task.text, {
      languageId,
      directive: run.summarize ? directiveOf(p.rubric, p.level) : undefined,
    });

  // Samples already in DIR must carry exactly the prompts this run would store, or the data set would
  // teach two prompts for one style. Checked before any request.
  const mismatches = promptMismatches(
    plan,
    samples,
    expected,
    run.summarize ? (p) => !directiveOf(p.rubric, p.level) : undefined,
  );
  if (mismatches.length) throw new GenerateConfigError(run.outDir, mismatches);

  const ledger = new RunLedger(logger, run.signal);

  // Phase 1: the directives that are missing.
  if (run.summarize)
    await summarizeMissing({
      rubrics: run.rubrics,
      levels,
      kind: run.kind,
      teacher: run.teacher.generator,
      sampling,
      concurrency,
      directives: directives!,
      file: files.directives!,
      ledger,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });

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
      { limit: concurrency, stop: () => ledger.stopped(), generator: run.teacher.generator },
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
            const seed = outputSeed(sampling.seed, p.key);
            ledger.requests++;
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
            ledger.succeeded();
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
                ledger.fail(`${what} (judge)`, err, 'judge');
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
            ledger.fail(what, err, 'teacher');
            message = errorMessage(err);
            await recordAttempt(what, err, 'teacher', true);
          }
        } finally {
          done++;
          run.onProgress?.({
            phase: 'outputs',
            done,
            total: runnable.length,
            failed: ledger.failures.length,
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
  const { kept, counts } = selectForPairs(present, run.rubrics, levels, {
    ...(run.judge ? { judge: run.judge.name } : {}),
    filter: !!run.filter,
    keepTruncated: !!run.keepTruncated,
    plannedPerLevel: run.tasks.length * K,
  });
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
    : ledger.stopReason !== undefined
      ? 'stopped'
      : present.length + skippedPlanned < plan.length
        ? 'incomplete'
        : 'complete';
  const outcome: Omit<GenerateOutcome, 'report'> = {
    status,
    ...(ledger.stopReason !== undefined ? { stopReason: ledger.stopReason } : {}),
    files,
    planned: plan.length - skippedPlanned,
    present: present.length,
    made,
    judged,
    requests: ledger.requests,
    pairs: pairs.length,
    identicalSkipped: identical,
    failures: ledger.failures,
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
