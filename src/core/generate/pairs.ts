// The swap trick: for one task and rubric, outputs y_i and y_j made at levels i ≠ j give two pairs,
// (s_i, x, y_i ≻ y_j) and (s_j, x, y_j ≻ y_i): each output is the preferred one under its own level's
// system prompt. The pairs use core/pairs' TRL conversational shape, so both exports read them.
import type { PreferencePair } from '../pairs/types';
import { sampleKey } from './samples';
import type { GenerateSample } from './types';

export interface SwapTrickResult {
  pairs: PreferencePair[];
  /** Level pairs skipped because both outputs were the same text (no contrast to learn). */
  identical: number;
}

function pairOf(chosen: GenerateSample, rejected: GenerateSample): PreferencePair {
  return {
    prompt: [
      { role: 'system', content: chosen.system },
      { role: 'user', content: chosen.user },
    ],
    chosen: [{ role: 'assistant', content: chosen.output }],
    rejected: [{ role: 'assistant', content: rejected.output }],
    source: 'contrast',
    rubric: chosen.rubric,
    level: chosen.level,
    ids: [sampleKey(chosen), sampleKey(rejected)],
  };
}

/**
 * Swap-trick pairs from `samples` (already filtered), in the order given. Outputs pair up by sample
 * index: the k-th output at level i with the k-th at level j, so --samples K gives K independent sets.
 */
export function swapTrickPairs(samples: readonly GenerateSample[]): SwapTrickResult {
  const groups = new Map<string, GenerateSample[]>();
  for (const s of samples) {
    const key = JSON.stringify([s.id, s.rubric, s.sample]);
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const pairs: PreferencePair[] = [];
  let identical = 0;
  for (const group of groups.values()) {
    const byLevel = [...group].sort((a, b) => a.level - b.level);
    for (let i = 0; i < byLevel.length; i++) {
      for (let j = i + 1; j < byLevel.length; j++) {
        const a = byLevel[i];
        const b = byLevel[j];
        if (a.level === b.level) continue;
        if (a.output.trim() === b.output.trim()) {
          identical++;
          continue;
        }
        pairs.push(pairOf(a, b), pairOf(b, a));
      }
    }
  }
  return { pairs, identical };
}
