// Which of the outputs present go into the pairs, per rubric and level, and the counts the report and the
// dataset card show for each: scored by this run's judge, kept by --filter, truncated ones left out unless
// --keep-truncated.
import { onLevel } from '../eval/metrics';
import type { Level, Rubric } from '../rubrics/types';
import type { GenerateSample, LevelCounts } from './types';

export interface Selection {
  /** Judge's name: only its scores count (undefined: no judge). */
  judge?: string;
  /** Keep only outputs the judge placed nearest their own level's target (the tie rule of eval's onLevel). */
  filter: boolean;
  keepTruncated: boolean;
  /** Outputs planned per rubric and level. */
  plannedPerLevel: number;
}

/** The outputs kept for pairs (in the order of `present`) and every rubric × level's counts. */
export function selectForPairs(
  present: readonly GenerateSample[],
  rubrics: readonly Rubric[],
  levels: readonly Level[],
  s: Selection,
): { kept: GenerateSample[]; counts: LevelCounts[] } {
  const counts: LevelCounts[] = [];
  const kept: GenerateSample[] = [];
  for (const rubric of rubrics) {
    for (const level of levels) {
      const here = present.filter((x) => x.rubric === rubric.id && x.level === level);
      const scored = here.filter((x) => typeof x.score === 'number' && (s.judge === undefined || x.judge === s.judge));
      const onTarget =
        s.filter && s.judge !== undefined
          ? scored.filter((x) => levels.length < 2 || onLevel(x.score!, level, levels))
          : here;
      // A truncated output is a text cut off at the token limit, not a finished one: out of the pairs by default.
      const keep = s.keepTruncated ? onTarget : onTarget.filter((x) => !x.truncated);
      for (const x of keep) kept.push(x);
      counts.push({
        truncated: here.filter((x) => x.truncated).length,
        rubric: rubric.id,
        level,
        planned: s.plannedPerLevel,
        present: here.length,
        scored: scored.length,
        kept: keep.length,
        dropped: here.length - keep.length,
        ...(scored.length ? { meanScore: scored.reduce((a, x) => a + x.score!, 0) / scored.length } : {}),
      });
    }
  }
  const order = new Map(present.map((x, i) => [x, i]));
  kept.sort((a, b) => order.get(a)! - order.get(b)!);
  return { kept, counts };
}
