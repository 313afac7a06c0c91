// Every judgement the check needs goes through judgeAll: with the local engine as parallel sequences of one
// context (its batched entry point), with a server one after another.
import { TooLongError, errorMessage, tooLongOf } from '../errors';
import { lockstep } from '../engine/batch';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../engine/types';
import { JudgeCancelledError, JudgeError, judgeText, type JudgeOptions } from '../judge';
import type { Rubric } from '../rubrics/types';

export type JudgeOutcome =
  | { kind: 'score'; score: number; critique: string }
  | { kind: 'too-long'; promptTokens: number; contextSize: number }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

/** The judge as the check sees it: a generator, and the context size when it is known (a local model). */
export interface CheckJudge {
  generator: TextGenerator;
  contextSize?: number;
}

/**
 * The same rule as evaluation's over-long passages: a prompt that cannot fit the context together with
 * the answer's token limit is too long, even when the engine squeezed an answer out of what was left.
 */
class FitCheckingGenerator implements TextGenerator {
  constructor(
    private readonly inner: TextGenerator,
    private readonly contextSize: number | undefined,
  ) {}

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const result = await this.inner.generate(req);
    const room = this.contextSize;
    if (room !== undefined && result.stopReason !== 'aborted' && result.promptTokens + (req.maxTokens ?? 0) > room)
      throw new TooLongError(
        result.promptTokens,
        room,
        `the judge's prompt is ${result.promptTokens} tokens, too long for a ${room}-token context`,
      );
    return result;
  }
}

export interface JudgeAllOptions extends Omit<JudgeOptions, 'signal'> {
  signal?: AbortSignal;
  /** Called as each text's outcome is known, in any order. */
  onOutcome?: (index: number, outcome: JudgeOutcome) => void;
}

/**
 * How many texts are judged together as parallel sequences: a window, not the whole file, so a cancel or a
 * failure costs at most one window's work and the engine's batch limit (MAX_BATCH_JOBS) is never reached.
 */
export const JUDGE_WINDOW = 16;

/**
 * Judges `texts` against `rubric`. A text too long for the context, or whose answer held no score, gets
 * its own outcome and the others go on; any other failure (the model, the engine) fails it and every text
 * after it with the same message. Cancelling leaves the texts not yet judged 'cancelled'.
 *
 * With a generator that runs batches (the local engine) the texts are judged in windows of JUDGE_WINDOW as
 * parallel sequences, each through judgeText (its retry included) in lockstep, as judgeTexts does; judgeTexts
 * itself is not used because it gives all-or-nothing, and the check needs an outcome per paragraph. A text
 * whose batched judgement failed for any other reason is judged again alone, so that a prompt too long for
 * one parallel sequence (each holds a share of the context) still gets the over-long rule's outcome and a
 * real engine failure is told apart from it. A server is asked one text at a time.
 */
export async function judgeAll(
  judge: CheckJudge,
  rubric: Rubric,
  texts: readonly string[],
  options: JudgeAllOptions = {},
): Promise<JudgeOutcome[]> {
  const { onOutcome, signal, ...rest } = options;
  const judgeOptions: JudgeOptions = { ...rest, ...(signal ? { signal } : {}) };
  const outcomes: JudgeOutcome[] = [];
  const settle = (i: number, o: JudgeOutcome) => {
    outcomes[i] = o;
    onOutcome?.(i, o);
  };
  let fatal: string | undefined;
  const alone = async (i: number) => {
    if (fatal !== undefined) return settle(i, { kind: 'failed', message: fatal });
    if (signal?.aborted) return settle(i, { kind: 'cancelled' });
    const generator = new FitCheckingGenerator(judge.generator, judge.contextSize);
    const o = await judgeOne(generator, rubric, texts[i]!, judgeOptions, signal);
    if ('fatal' in o) {
      fatal = o.fatal;
      return settle(i, { kind: 'failed', message: fatal });
    }
    settle(i, o);
  };
  const batched = judge.generator.generateBatch !== undefined;
  for (let start = 0; start < texts.length; start += batched ? JUDGE_WINDOW : 1) {
    const end = Math.min(texts.length, start + (batched ? JUDGE_WINDOW : 1));
    if (end - start < 2 || fatal !== undefined || signal?.aborted) {
      for (let i = start; i < end; i++) await alone(i);
      continue;
    }
    const step = lockstep(judge.generator, end - start);
    const retry: number[] = [];
    await Promise.all(
      Array.from({ length: end - start }, async (_, k) => {
        const generator = new FitCheckingGenerator(step.generators[k]!, judge.contextSize);
        try {
          const o = await judgeOne(generator, rubric, texts[start + k]!, judgeOptions, signal);
          if ('fatal' in o) retry.push(start + k);
          else settle(start + k, o);
        } finally {
          step.done(k);
        }
      }),
    );
    for (const i of retry.sort((a, b) => a - b)) await alone(i);
  }
  return outcomes;
}

/** One judgement's outcome, or the message of a failure that is not the text's own (the model, the engine). */
async function judgeOne(
  generator: TextGenerator,
  rubric: Rubric,
  text: string,
  options: JudgeOptions,
  signal: AbortSignal | undefined,
): Promise<JudgeOutcome | { fatal: string }> {
  try {
    const j = await judgeText(generator, rubric, text, options);
    return { kind: 'score', score: j.score, critique: j.critique };
  } catch (err) {
    // A prompt too long for the context: this paragraph is skipped (FitCheckingGenerator's rule or the engine's).
    const long = tooLongOf(err);
    if (err instanceof JudgeCancelledError || signal?.aborted) return { kind: 'cancelled' };
    if (long) return { kind: 'too-long', promptTokens: long.tokens, contextSize: long.contextSize };
    if (err instanceof JudgeError) return { kind: 'failed', message: err.message };
    return { fatal: errorMessage(err) };
  }
}
