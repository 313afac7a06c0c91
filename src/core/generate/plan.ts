// Which outputs a generate run makes (every task × rubric × sample × level), and the check that outputs
// already in DIR carry exactly the prompts this run would store (train what you serve).
import type { Level, Rubric } from '../rubrics/types';
import { keyedSeed } from '../seeds';
import { sampleKey } from './samples';
import type { GenerateSample, GenerateTask } from './types';

export interface PlannedOutput {
  key: string;
  task: GenerateTask;
  rubric: Rubric;
  level: Level;
  sample: number;
}

/** Each output's own seed, so K samples at one level differ yet a re-run with --seed asks the same. */
export function outputSeed(base: number | undefined, key: string): number | undefined {
  return base === undefined ? undefined : keyedSeed(base, key);
}

/** Every output of the run, in the order they are attempted. */
export function planOutputs(
  tasks: readonly GenerateTask[],
  rubrics: readonly Rubric[],
  samples: number,
  levels: readonly Level[],
): PlannedOutput[] {
  const plan: PlannedOutput[] = [];
  for (const task of tasks) {
    for (const rubric of rubrics) {
      for (let sample = 0; sample < samples; sample++) {
        for (const level of levels)
          plan.push({ key: sampleKey({ id: task.id, rubric: rubric.id, level, sample }), task, rubric, level, sample });
      }
    }
  }
  return plan;
}

/**
 * Outputs already in DIR whose stored prompts differ from what `expected` gives now (or, with summarized
 * directives, that have no directive to be made from), at most five: a data set must never teach two prompts
 * for one style.
 */
export function promptMismatches(
  plan: readonly PlannedOutput[],
  have: ReadonlyMap<string, GenerateSample>,
  expected: (p: PlannedOutput) => { system: string; user: string },
  missingDirective?: (p: PlannedOutput) => boolean,
): string[] {
  const mismatches: string[] = [];
  for (const p of plan) {
    const sample = have.get(p.key);
    if (!sample) continue;
    if (missingDirective?.(p)) {
      mismatches.push(`${p.key} exists but directives.json has no directive for ${p.rubric.id} level ${p.level}`);
    } else {
      const want = expected(p);
      if (sample.user !== want.user)
        mismatches.push(
          `${p.key} was made from a different text or prompt for '${p.task.id}' (the input changed under the same id)`,
        );
      else if (sample.system !== want.system)
        mismatches.push(
          `${p.key} has another system prompt than ${p.rubric.id} level ${p.level} gives now (its directive changed)`,
        );
    }
    if (mismatches.length >= 5) break;
  }
  return mismatches;
}
