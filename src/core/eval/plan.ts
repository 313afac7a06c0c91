// Which samples an evaluation of one model makes: every prompt mode × best-of N × passage × rubric × sample
// × level, each with a seed of its own, and (bounded work, up front) the largest prompt of each passage, so
// a passage that cannot fit the model's context is skipped before anything is generated.
import { systemPrompt } from '../prompts';
import type { PromptMode } from '../prompts/types';
import { rewritePrompt } from '../rewrite/prompt';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { keyedSeed } from '../seeds';
import type { EvalModelHandle } from './run-types';
import type { EvalSample, EvalText } from './types';

/** A sample to make: the fields its line will hold before it is written and judged, and what it is made from. */
export type PlannedSample = Omit<
  EvalSample,
  'v' | 'output' | 'score' | 'critique' | 'judge' | 'judgePrompt' | 'seconds' | 'time'
> & {
  seed: number;
  text: EvalText;
  rubricRef: Rubric;
};

export interface PlanSetup {
  modes: readonly PromptMode[];
  bestOfs: readonly number[];
  texts: readonly EvalText[];
  rubrics: readonly Rubric[];
  /** Samples per passage × rubric × level. */
  samples: number;
  levels: readonly Level[];
  tasks: boolean;
  baseSeed: number;
}

/**
 * The same seed for the same passage, rubric, level and sample whatever the model or mode, so rows differ by model, not
 * by luck.
 */
export function evalSeed(base: number, s: { textId: string; rubric: string; level: Level; sample: number }): number {
  return keyedSeed(base, `${s.textId}/${s.rubric}/L${s.level}/s${s.sample}`);
}

/** Every sample one model makes, in the order they are attempted. */
export function planSamples(
  model: Pick<EvalModelHandle, 'name' | 'fingerprint' | 'adapters'>,
  setup: PlanSetup,
): PlannedSample[] {
  const plan: PlannedSample[] = [];
  for (const mode of setup.modes) {
    for (const n of setup.bestOfs) {
      for (const text of setup.texts) {
        for (const rubric of setup.rubrics) {
          for (let sample = 0; sample < setup.samples; sample++) {
            for (const level of setup.levels) {
              const s = {
                model: model.name,
                ...(model.fingerprint ? { modelFingerprint: model.fingerprint } : {}),
                ...(model.adapters?.length ? { adapters: model.adapters } : {}),
                mode,
                ...(n > 1 ? { bestOf: n } : {}),
                ...(setup.tasks ? { task: true } : {}),
                textId: text.id,
                rubric: rubric.id,
                level,
                sample,
                target: LEVEL_TARGET_SCORE[level],
                seed: 0,
              };
              s.seed = evalSeed(setup.baseSeed, s);
              plan.push({ ...s, text, rubricRef: rubric });
            }
          }
        }
      }
    }
  }
  return plan;
}

/** How a sample is named in progress, warnings and failures.jsonl. */
export function describeSample(p: PlannedSample): string {
  return (
    `${p.textId}/${p.rubric}/L${p.level}/s${p.sample} ` +
    `(${p.mode}${(p.bestOf ?? 1) > 1 ? `, best-of-${p.bestOf}` : ''})`
  );
}

/**
 * The largest prompt each passage's samples would send, counted with the model's own tokenizer (each distinct
 * prompt once). Stops counting when `stop` says so.
 */
export async function largestPrompts(
  jobs: readonly PlannedSample[],
  tasks: boolean,
  countTokens: (system: string, user: string) => Promise<number>,
  stop: () => boolean,
): Promise<Map<string, { p: PlannedSample; tokens: number }>> {
  const counted = new Map<string, number>();
  const largest = new Map<string, { p: PlannedSample; tokens: number }>();
  for (const p of jobs) {
    if (stop()) break;
    const prompt = tasks
      ? { system: systemPrompt(p.rubricRef, p.level, p.mode), user: p.text.text }
      : rewritePrompt(p.text.text, { rubric: p.rubricRef, level: p.level }, p.mode, p.text.languageId);
    const key = `${prompt.system}\u0000${prompt.user}`;
    let tokens = counted.get(key);
    if (tokens === undefined) {
      tokens = await countTokens(prompt.system, prompt.user);
      counted.set(key, tokens);
    }
    if (tokens > (largest.get(p.textId)?.tokens ?? -1)) largest.set(p.textId, { p, tokens });
  }
  return largest;
}
