// The "evaluate a model" use case, shared by `cpt-writer eval` and the editor's Evaluate Model… command:
// every passage × rubric × level (× sample) is rewritten through core/rewrite's rewrite (the prompts
// the extension sends) and judged with core/judge, one sample line appended and flushed as each
// finishes. A re-run with the same DIR does only what is missing; the report is computed from the file.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { workPool } from '../engine/work-pool';
import type { TextGenerator } from '../engine/types';
import { errorMessage } from '../errors';
import { JUDGE_PROMPT_VERSION, JudgeCancelledError, JudgeError, judgeText } from '../judge';
import { AttemptLog, MAX_ATTEMPTS, type GivenUp } from '../jsonl/attempts';
import { silentLogger } from '../log';
import { DEFAULT_SAMPLING } from '../rewrite/run';
import { writeReportFiles } from './files';
import { describeSample, largestPrompts, planSamples, type PlannedSample } from './plan';
import {
  checkEvalRun,
  EvalConfigError,
  EvalStoppedError,
  type EvalModelHandle,
  type EvalOutcome,
  type EvalRun,
} from './run-types';
import { SampleWriter, evalModelIdentity, evalSampleKey, readEvalSamples } from './samples';
import type { EvalSample, SkippedText } from './types';
import { EmptyRewriteError, isPassageTooLong, writeSample, type WriteSetup } from './write-sample';

const MAX_FAILURES_IN_A_ROW = 5;

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

        const plan = planSamples(model, {
          modes,
          bestOfs,
          texts: run.texts,
          rubrics: run.rubrics,
          samples: K,
          levels,
          tasks,
          baseSeed,
        });
        const jobs = plan.filter((p) => !have.has(evalSampleKey(p)));
        plannedPresent += plan.length - jobs.length;
        total -= plan.length - jobs.length;
        let failuresInARow = 0;
        const tooLong = new Set<string>();
        const skip = (p: PlannedSample, tokens: number, room: number): boolean => {
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
          const largest = await largestPrompts(jobs, tasks, model.countTokens, cancelled);
          for (const { p, tokens } of largest.values()) if (tokens + maxTokens > room) skip(p, tokens, room);
        }
        const runnable = jobs.filter((p) => {
          if (tooLong.has(p.textId)) return false;
          const gone = attempts.givenUp(evalSampleKey(p), describeSample(p));
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
        const writeSetup: WriteSetup = {
          tasks,
          model: model.ref,
          ...(run.sampling ? { sampling: run.sampling } : {}),
          maxTokens,
          ...(room !== undefined ? { contextSize: room } : {}),
          ...(run.judgeOptions ? { judgeOptions: run.judgeOptions } : {}),
          ...(run.signal ? { signal: run.signal } : {}),
        };
        // --concurrency N: N samples at once; with a local model as parallel sequences (core/engine/work-pool).
        await workPool(
          runnable,
          { limit: run.concurrency ?? 1, stop: cancelled, generator: model.generator },
          async (p, generator) => {
            if (cancelled()) return;
            const what = describeSample(p);
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
              const written = await writeSample(p, generator, judgeGenerator, writeSetup);
              if (written === 'cancelled') return;
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
                ...(p.bestOf ? { bestOf: p.bestOf, judgements } : {}),
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
              const long = isPassageTooLong(err) ? err : undefined;
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
