// The document's spread over the levels, as the sidebar's histogram shows it, and where a click on one of
// its bars goes: the next scored paragraph at that level after the cursor, wrapping round to the top.
import type { Level } from '../rubrics/types';
import type { CheckReport } from './run';

/** Scored paragraphs per level, index 0 = level 1 (skipped, failed and cancelled ones are not counted). */
export function levelCounts(report: Pick<CheckReport, 'paragraphs'>): [number, number, number, number, number] {
  const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const p of report.paragraphs) if (p.status === 'scored' && p.level) counts[p.level - 1] += 1;
  return counts;
}

/**
 * The first scored paragraph at `level` that starts after the paragraph holding `offset` (so repeated clicks
 * walk through them), else the first one from the top; undefined when none reads at that level.
 */
export function nextAtLevel<P extends CheckReport['paragraphs'][number]>(
  paragraphs: readonly P[],
  level: Level,
  offset: number,
): P | undefined {
  const at = paragraphs.filter((p) => p.status === 'scored' && p.level === level).sort((a, b) => a.start - b.start);
  return at.find((p) => p.start > offset) ?? at[0];
}
