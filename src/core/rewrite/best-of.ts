// Best-of-N: write N candidates of one rewrite with different seeds, judge each against the rubric, and
// order them nearest the level's target score first (the CPT paper's best-of-N with its judge). The
// editor and the CLI call this one function; they only show what it returns.
//
// All N rewrites run first and the judgements after them: rewrites share one system prompt and judgements
// another, so when the judge is the rewriting model each half reuses its own prompt prefix instead of
// evaluating the two prompts in turn. Within each half the N run together (core/engine lockstep): with the
// local engine as parallel sequences of one context, whose decoding is batched, so N candidates cost little
// more than one while the model's weights, not the arithmetic, bound the speed.
import type { GenerateResult, TextGenerator } from '../engine/types';
import type { RewriteCandidate } from '../feedback/types';
import { distanceToTarget } from '../judge/levels';
import { judgeTexts, JudgeCancelledError, type JudgeOptions, type Judgement } from '../judge/judge';
import { LEVEL_TARGET_SCORE } from '../rubrics/types';
import { sumResults } from './parts';
import { writeCandidates } from './candidates';
import { samplingFor } from './run';
import type { RewriteJob, RewriteOutcome, RewriteRecord } from './types';

/** The most candidates one best-of run writes (cptWriter.bestOf, --best-of). */
export const MAX_BEST_OF = 8;

type DoneOutcome = Extract<RewriteOutcome, { status: 'done' }>;

export interface BestOfJob extends Omit<RewriteJob, 'fresh' | 'onToken'> {
  /** How many candidates, 1..MAX_BEST_OF. */
  n: number;
  /** Who scores the candidates (the rewriting model or another one) and how. */
  judge: { generator: TextGenerator; options?: Omit<JudgeOptions, 'signal'> };
  /** Each piece of a candidate's raw output as it streams, with the candidate's index (in writing order). */
  onToken?: (text: string, candidate: number) => void;
  /** Progress: a candidate starts, is written, is judged. */
  onCandidate?: (event: CandidateEvent) => void;
  /**
   * With a batching engine the candidates are written at once. True: onToken gets every candidate's pieces
   * live, interleaved (for a view that shows them all). False (default): in turn, as a one-stream view
   * expects: candidate 0 live, each later one's pieces (and its writing/written events) once the one before
   * it is written.
   */
  streamAll?: boolean;
}

export type CandidateEvent =
  | { phase: 'writing'; index: number; count: number; seed: number }
  | { phase: 'written'; index: number; count: number; outcome: RewriteOutcome }
  | { phase: 'judged'; index: number; count: number; score: number; critique: string };

export interface ScoredCandidate {
  /** The candidate's place in writing order (0-based); its seed is the run's first seed plus this. */
  index: number;
  seed: number;
  /** The cleaned proposal, as a single rewrite would give it. */
  text: string;
  score: number;
  critique: string;
  /** |score − the level's target|. */
  distance: number;
  /** What of the original's markup this candidate lost ([] when nothing). */
  markupLost: string[];
  outcome: DoneOutcome;
}

/**
 * 'done': `candidates` nearest the target first (those that kept the original's markup before those that
 * lost some; equal distance in writing order), `record` the feedback record of the first with every
 * candidate in it. 'empty': no candidate gave usable text. 'cancelled': the signal fired; `written` holds
 * the candidates finished before it, unjudged.
 */
export type BestOfOutcome =
  | {
      status: 'done';
      target: number;
      candidates: ScoredCandidate[];
      record: RewriteRecord;
      empty: number;
      result: GenerateResult;
    }
  | { status: 'empty'; target: number; empty: number; last: RewriteOutcome; result: GenerateResult }
  | { status: 'cancelled'; target: number; written: DoneOutcome[]; last: RewriteOutcome; result: GenerateResult };

/**
 * Orders scored candidates: markup kept first, then nearest the target, then writing order. This is the one
 * tie rule of every judge-based decision (core/eval's onLevel, README "One tie rule"): only a strictly nearer
 * score wins, so two candidates at the same distance (40 and 60 for a target of 50) stay in writing order
 * and the first written is kept; the judge's scores never decide a tie they do not show.
 */
export function rankCandidates<T extends Pick<ScoredCandidate, 'index' | 'distance' | 'markupLost'>>(
  candidates: readonly T[],
): T[] {
  return [...candidates].sort(
    (a, b) =>
      Number(a.markupLost.length > 0) - Number(b.markupLost.length > 0) || a.distance - b.distance || a.index - b.index,
  );
}

/** The candidates as the feedback log keeps them, in the order given. */
export function loggedCandidates(candidates: readonly ScoredCandidate[]): RewriteCandidate[] {
  return candidates.map((c) => ({
    output: c.text,
    score: c.score,
    seed: c.seed,
    markupLost: c.markupLost,
    ...(c.critique ? { critique: c.critique } : {}),
  }));
}

/**
 * Writes `job.n` candidates (seeds: the job's seed, or a random one, plus 0, 1, …; greedy sampling is
 * lifted to a sampling temperature as for Regenerate), judges each one that produced text, and ranks them.
 * The candidates are written together and then judged together (parallel sequences with the local engine,
 * one after another with other generators); one signal stops every candidate being written or judged.
 * Engine and judge failures are thrown.
 */
export async function runBestOf(engine: TextGenerator, job: BestOfJob): Promise<BestOfOutcome> {
  const n = job.n;
  if (!Number.isInteger(n) || n < 1 || n > MAX_BEST_OF)
    throw new Error(`best-of needs 1 to ${MAX_BEST_OF} candidates, got ${n}`);
  const { n: _n, judge, onToken, onCandidate, streamAll: _all, ...base } = job;
  const target = LEVEL_TARGET_SCORE[job.style.level];
  const firstSeed = samplingFor({ sampling: job.sampling, fresh: true }).seed!;
  const outcomes: RewriteOutcome[] = [];
  const written: { index: number; seed: number; outcome: DoneOutcome }[] = [];
  const total = () => sumResults(outcomes.map((o) => o.result));

  const all = await writeCandidates(engine, {
    base,
    n,
    firstSeed,
    streamAll: job.streamAll ?? false,
    ...(onToken ? { onToken } : {}),
    ...(onCandidate ? { onCandidate } : {}),
  });
  outcomes.push(...all.map((a) => a.outcome));
  for (const a of all)
    if (a.outcome.status === 'done') written.push({ index: a.index, seed: a.seed, outcome: a.outcome });
  const stopped = all.find((a) => a.outcome.status === 'cancelled');
  if (stopped)
    return {
      status: 'cancelled',
      target,
      written: written.map((w) => w.outcome),
      last: stopped.outcome,
      result: total(),
    };
  const empty = n - written.length;
  if (!written.length) return { status: 'empty', target, empty, last: outcomes[outcomes.length - 1], result: total() };

  let verdicts: Judgement[];
  try {
    verdicts = await judgeTexts(
      judge.generator,
      job.style.rubric,
      written.map((w) => w.outcome.text),
      { ...judge.options, ...(job.signal ? { signal: job.signal } : {}) },
    );
  } catch (err) {
    if (err instanceof JudgeCancelledError)
      return {
        status: 'cancelled',
        target,
        written: written.map((x) => x.outcome),
        last: outcomes[outcomes.length - 1],
        result: total(),
      };
    throw err;
  }
  const scored: ScoredCandidate[] = written.map((w, i) => {
    const verdict = verdicts[i]!;
    onCandidate?.({ phase: 'judged', index: w.index, count: n, score: verdict.score, critique: verdict.critique });
    return {
      index: w.index,
      seed: w.seed,
      text: w.outcome.text,
      score: verdict.score,
      critique: verdict.critique,
      distance: distanceToTarget(verdict.score, job.style.level),
      markupLost: w.outcome.markupLost,
      outcome: w.outcome,
    };
  });
  const candidates = rankCandidates(scored);
  const record: RewriteRecord = { ...candidates[0].outcome.record, candidates: loggedCandidates(candidates) };
  return { status: 'done', target, candidates, record, empty, result: total() };
}
