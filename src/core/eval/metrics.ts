// The controllability metrics of the CPT paper over judged samples: does the judged score follow the
// requested level? Accuracy, Kendall's τ-b, Spearman's ρ, order accuracy, and per-level statistics.
import { LEVEL_TARGET_SCORE, type Level } from '../rubrics/types';
import { kendallTauB, spearmanRho } from './correlation';
import type { EvalMetrics, LevelStats } from './types';

/** What the metrics read from a sample. */
export interface Scored {
  textId: string;
  rubric: string;
  level: Level;
  score: number;
  seconds?: number;
}

/** The definitions, word for word in report.json, report.md and the README. */
export const METRIC_DEFINITIONS: Readonly<Record<string, string>> = {
  accuracy:
    'share of samples whose judged score is strictly nearer the target of its own level than the target of any ' +
    'other evaluated level (targets 10, 30, 50, 70, 90 for levels 1-5); a score exactly halfway between two ' +
    'targets is a miss',
  tauB:
    "Kendall's tau-b between requested level and judged score over all samples, ties corrected (as " +
    'scipy.stats.kendalltau)',
  rho:
    "Spearman's rho between requested level and judged score: Pearson's r on average ranks (as " +
    'scipy.stats.spearmanr)',
  orderAccuracy:
    'share of passage x rubric groups (holding every evaluated level) whose mean judged score strictly increases ' +
    'with the level',
  perLevel: 'n, mean, sample standard deviation, min, quartiles and max of the judged score at each requested level',
  seconds: 'wall-clock seconds spent rewriting and judging the samples',
  ceiling:
    'with 3 levels and a judge whose scores never tie, tau-b cannot exceed sqrt(2/3) = 0.816 and rho sqrt(8/9) = ' +
    '0.943 (equal samples per level, many samples); with 5 levels 0.894 and 0.980: 3-level and 5-level results ' +
    'are not comparable',
};

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Share of samples whose score is strictly nearer its own level's target than any other level's among
 * `levels`. Null with fewer than two levels (nothing to be confused with) or no samples.
 */
/**
 * The one tie rule of every judge-based decision (eval accuracy, generate --filter): a score is on its
 * level only when it is strictly nearer that level's target than any other evaluated level's. A score
 * halfway between two targets is on neither.
 */
export function onLevel(score: number, level: Level, levels: readonly Level[]): boolean {
  const own = Math.abs(score - LEVEL_TARGET_SCORE[level]);
  return levels.every((l) => l === level || own < Math.abs(score - LEVEL_TARGET_SCORE[l]));
}

export function accuracy(samples: readonly Pick<Scored, 'level' | 'score'>[], levels: readonly Level[]): number | null {
  if (!samples.length || new Set(levels).size < 2) return null;
  const hits = samples.filter((s) => onLevel(s.score, s.level, levels)).length;
  return hits / samples.length;
}

/**
 * Share of passage × rubric groups whose mean score strictly increases from each level to the next.
 * Only groups holding every one of `levels` count (an interrupted run leaves some incomplete).
 */
export function orderAccuracy(
  samples: readonly Scored[],
  levels: readonly Level[],
): { value: number | null; groups: number } {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  if (sorted.length < 2) return { value: null, groups: 0 };
  const groups = new Map<string, Map<Level, number[]>>();
  for (const s of samples) {
    const key = JSON.stringify([s.textId, s.rubric]);
    const g = groups.get(key) ?? new Map<Level, number[]>();
    groups.set(key, g);
    g.set(s.level, [...(g.get(s.level) ?? []), s.score]);
  }
  let complete = 0;
  let ordered = 0;
  for (const g of groups.values()) {
    if (!sorted.every((l) => g.has(l))) continue;
    complete++;
    const means = sorted.map((l) => mean(g.get(l)!));
    if (means.every((m, i) => i === 0 || m > means[i - 1])) ordered++;
  }
  return { value: complete ? ordered / complete : null, groups: complete };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, v) => a + v, 0) / xs.length;
}

/** The p-quantile by linear interpolation between order statistics (NumPy's default method). */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function levelStats(scores: readonly number[], level: Level): LevelStats {
  const n = scores.length;
  const sorted = [...scores].sort((a, b) => a - b);
  const m = n ? mean(scores) : null;
  const sd = n >= 2 && m !== null ? Math.sqrt(scores.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1)) : null;
  const q = (p: number) => (n ? quantile(sorted, p) : null);
  return {
    level,
    target: LEVEL_TARGET_SCORE[level],
    n,
    mean: m,
    sd,
    min: n ? sorted[0] : null,
    q1: q(0.25),
    median: q(0.5),
    q3: q(0.75),
    max: n ? sorted[n - 1] : null,
  };
}

/**
 * Every metric over `samples`, with `levels` the evaluated set (the accuracy's competitors, order accuracy's steps).
 */
export function computeMetrics(samples: readonly Scored[], levels: readonly Level[]): EvalMetrics {
  const sortedLevels = [...new Set(levels)].sort((a, b) => a - b);
  const x = samples.map((s) => s.level);
  const y = samples.map((s) => s.score);
  const order = orderAccuracy(samples, sortedLevels);
  return {
    n: samples.length,
    levels: sortedLevels,
    accuracy: accuracy(samples, sortedLevels),
    tauB: samples.length >= 2 ? finite(kendallTauB(x, y)) : null,
    rho: samples.length >= 2 ? finite(spearmanRho(x, y)) : null,
    orderAccuracy: order.value,
    orderGroups: order.groups,
    perLevel: sortedLevels.map((l) =>
      levelStats(
        samples.filter((s) => s.level === l).map((s) => s.score),
        l,
      ),
    ),
    seconds: samples.reduce((a, s) => a + (s.seconds ?? 0), 0),
  };
}
