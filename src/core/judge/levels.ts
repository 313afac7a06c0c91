// From a judged score back to the slider: which level's target score it sits nearest.
import { LEVEL_TARGET_SCORE, type Level } from '../rubrics/types';

/** |score − the level's target| (targets 10, 30, 50, 70, 90). */
export function distanceToTarget(score: number, level: Level): number {
  return Math.abs(score - LEVEL_TARGET_SCORE[level]);
}

/**
 * The level among `levels` whose target score is nearest `score`. A score exactly halfway between two
 * targets (40 between levels 2 and 3; 30 between 1 and 3 when only 1, 3, 5 are offered) goes to the
 * lower level: a text the judge cannot place above the midpoint has not shown the higher level.
 */
export function nearestLevel(score: number, levels: readonly Level[]): Level {
  if (!levels.length) throw new Error('nearestLevel needs at least one level');
  if (!Number.isFinite(score)) throw new Error(`nearestLevel needs a finite score, got ${score}`);
  let best = levels[0];
  for (const l of levels) {
    const d = distanceToTarget(score, l);
    const b = distanceToTarget(score, best);
    if (d < b || (d === b && l < best)) best = l;
  }
  return best;
}
