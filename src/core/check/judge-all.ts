// Every judgement the check needs goes through judgeAll: today one after another on one sequence; the
// engine's batched (parallel sequences) entry point can take over here without changing any caller.
import { CptError, errorMessage } from '../errors';
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

/** A prompt that, with the answer's token limit, does not fit the context: the paragraph is skipped. */
export class TooLongError extends CptError<'TOO_LONG'> {
  constructor(
    readonly promptTokens: number,
    readonly contextSize: number,
  ) {
    super('TOO_LONG', `the judge's prompt is ${promptTokens} tokens, too long for a ${contextSize}-token context`);
    this.name = 'TooLongError';
  }

  /** The engine's own refusal of a prompt longer than the context, read from its message. */
  static from(err: unknown): TooLongError | undefined {
    const m = /too long for the context: (\d+) tokens, context size (\d+)/.exec(errorMessage(err));
    return m ? new TooLongError(Number(m[1]), Number(m[2])) : undefined;
  }
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
      throw new TooLongError(result.promptTokens, room);
    return result;
  }
}

export interface JudgeAllOptions extends Omit<JudgeOptions, 'signal'> {
  signal?: AbortSignal;
  /** Called as each text's outcome is known, in any order. */
  onOutcome?: (index: number, outcome: JudgeOutcome) => void;
}

/**
 * Judges `texts` against `rubric`. A text too long for the context, or whose answer held no score, gets
 * its own outcome and the others go on; any other failure (the model, the engine) fails it and every text
 * after it with the same message. Cancelling leaves the texts not yet judged 'cancelled'.
 */
export async function judgeAll(
  judge: CheckJudge,
  rubric: Rubric,
  texts: readonly string[],
  options: JudgeAllOptions = {},
): Promise<JudgeOutcome[]> {
  const { onOutcome, signal, ...judgeOptions } = options;
  const generator = new FitCheckingGenerator(judge.generator, judge.contextSize);
  const outcomes: JudgeOutcome[] = [];
  const settle = (i: number, o: JudgeOutcome) => {
    outcomes[i] = o;
    onOutcome?.(i, o);
  };
  for (let i = 0; i < texts.length; i++) {
    if (signal?.aborted) {
      settle(i, { kind: 'cancelled' });
      continue;
    }
    try {
      const j = await judgeText(generator, rubric, texts[i], { ...judgeOptions, ...(signal ? { signal } : {}) });
      settle(i, { kind: 'score', score: j.score, critique: j.critique });
    } catch (err) {
      const long = err instanceof TooLongError ? err : TooLongError.from(err);
      if (err instanceof JudgeCancelledError || signal?.aborted) settle(i, { kind: 'cancelled' });
      else if (long) settle(i, { kind: 'too-long', promptTokens: long.promptTokens, contextSize: long.contextSize });
      else if (err instanceof JudgeError) settle(i, { kind: 'failed', message: err.message });
      else {
        const message = errorMessage(err);
        for (let k = i; k < texts.length; k++) settle(k, { kind: 'failed', message });
        break;
      }
    }
  }
  return outcomes;
}
