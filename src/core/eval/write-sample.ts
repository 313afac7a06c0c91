// Writing one evaluation sample: a passage rewritten through core/rewrite (best-of-N judged by the eval's
// judge), or with --tasks free writing from a prompt under the style's system prompt. The judging of a single
// output and the sample's line are core/eval/run.ts's.
import type { TextGenerator } from '../engine/types';
import { CptError, TooLongError, tooLongOf } from '../errors';
import { judgeText, type Judgement, type JudgeOptions } from '../judge';
import { systemPrompt } from '../prompts';
import { rankCandidates } from '../rewrite/best-of';
import { cleanRewrite } from '../rewrite/cleanup';
import { DEFAULT_SAMPLING } from '../rewrite/run';
import type { ModelRef, Sampling } from '../rewrite/types';
import { rewrite } from '../rewrite/use-case';
import { nthSeed } from '../seeds';
import type { PlannedSample } from './plan';

/**
 * The too-long errors that are the passage's own (its prompt and token limit do not fit the model's context:
 * skipped, never retried). A judge's refusal after the rewrite is not the passage's, and stops the run.
 */
const passageTooLong = new WeakSet<TooLongError>();

function tooLongPassage(tokens: number, contextSize: number): TooLongError {
  const e = new TooLongError(tokens, contextSize);
  passageTooLong.add(e);
  return e;
}

/** The engine's own refusal of the rewrite's prompt as the passage's too-long error; any other error as is. */
function asPassageTooLong(err: unknown): unknown {
  const t = tooLongOf(err);
  return t ? tooLongPassage(t.tokens, t.contextSize) : err;
}

/** The model answered, but nothing was left of its rewrite after clean-up: a failure of this sample only. */
export class EmptyRewriteError extends CptError<'EMPTY_REWRITE'> {
  constructor(message: string) {
    super('EMPTY_REWRITE', message);
    this.name = 'EmptyRewriteError';
  }
}

/**
 * What one sample wrote: the kept text, whether it stopped at the token limit, and the judge's verdict when
 * best-of-N judged it already.
 */
export interface Written {
  text: string;
  truncated: boolean;
  /** The tokens of one prompt (one candidate's), for the over-long rule. */
  promptTokens: number;
  verdict?: Judgement;
  judgements: number;
}

/**
 * Free writing from a --tasks prompt under the style's system prompt. With N above 1: N outputs (seeds seed,
 * seed + 1, …) each judged, the nearest the target kept by the one tie rule (rankCandidates: equal distance
 * keeps writing order), as core/rewrite's best-of-N does for passages.
 */
async function writeFromTask(
  generator: TextGenerator,
  p: PlannedSample,
  n: number,
  o: {
    temperature: number;
    maxTokens: number;
    signal?: AbortSignal;
    judge: () => Promise<TextGenerator>;
    judgeOptions?: Partial<JudgeOptions>;
  },
): Promise<Written | 'cancelled' | 'empty'> {
  const system = systemPrompt(p.rubricRef, p.level, p.mode);
  const written: Array<{ index: number; text: string; truncated: boolean; distance: number; verdict?: Judgement }> = [];
  let promptTokens = 0;
  for (let index = 0; index < n; index++) {
    const r = await generator.generate({
      system,
      user: p.text.text,
      maxTokens: o.maxTokens,
      temperature: o.temperature,
      seed: nthSeed(p.seed, index),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (r.stopReason === 'aborted') return 'cancelled';
    promptTokens = r.promptTokens;
    const text = cleanRewrite('', r.text);
    if (!text.trim()) continue;
    const out = { index, text, truncated: r.stopReason === 'maxTokens', distance: 0 };
    if (n > 1) {
      const verdict = await judgeText(await o.judge(), p.rubricRef, text, {
        ...o.judgeOptions,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      written.push({ ...out, verdict, distance: Math.abs(verdict.score - p.target) });
    } else written.push(out);
  }
  if (!written.length) return 'empty';
  const best = rankCandidates(written.map((w) => ({ ...w, markupLost: [] as string[] })))[0];
  return {
    text: best.text,
    truncated: best.truncated,
    promptTokens,
    ...(best.verdict ? { verdict: best.verdict } : {}),
    judgements: n > 1 ? written.length : 0,
  };
}

/**
 * The same seed for the same passage, rubric, level and sample whatever the model or mode, so rows differ by model, not
 * by luck.

/** Whether an error is a passage's own too-long error (skipped, never retried), as tooLongPassage made it. */
export function isPassageTooLong(err: unknown): err is TooLongError {
  return err instanceof TooLongError && passageTooLong.has(err);
}

/** What writing a sample needs besides the sample itself. */
export interface WriteSetup {
  tasks: boolean;
  model: ModelRef;
  /** The run's sampling as given (its seed is each sample's own). */
  sampling?: Partial<Sampling>;
  /** The token limit in force (the given one, or the default). */
  maxTokens: number;
  /** The model's context size, for the over-long rule once a prompt's size is known. */
  contextSize?: number;
  judgeOptions?: Partial<JudgeOptions>;
  signal?: AbortSignal;
}

/** A passage rewritten whole, in one part, through core/rewrite (best-of-N judged by the eval's judge). */
async function rewritePassage(
  p: PlannedSample,
  n: number,
  generator: TextGenerator,
  judge: () => Promise<TextGenerator>,
  s: WriteSetup,
): Promise<Written | 'cancelled' | 'empty'> {
  const rewritten = await rewrite(
    generator,
    {
      text: p.text.text,
      style: { rubric: p.rubricRef, level: p.level },
      source: { languageId: p.text.languageId, path: '' },
      promptMode: p.mode,
      model: s.model,
      sampling: {
        ...(s.sampling?.temperature !== undefined ? { temperature: s.sampling.temperature } : {}),
        ...(s.sampling?.maxTokens !== undefined ? { maxTokens: s.sampling.maxTokens } : {}),
        seed: p.seed,
      },
    },
    {
      ...(s.signal ? { signal: s.signal } : {}),
      ...(n > 1
        ? {
            bestOf: n,
            judge: { generator: judge, ...(s.judgeOptions ? { options: s.judgeOptions } : {}) },
          }
        : {}),
    },
  ).catch((err: unknown) => {
    // Only the rewrite's own prompt can make the passage too long; a judge's refusal is not the passage's.
    throw asPassageTooLong(err);
  });
  if (rewritten.status === 'cancelled') return 'cancelled';
  if (rewritten.status === 'empty') {
    // A best-of result sums its N candidates' prompts; the passage's own prompt is one candidate's.
    const tokens = Math.round(rewritten.result.promptTokens / n);
    if (s.contextSize !== undefined && tokens + s.maxTokens > s.contextSize)
      throw tooLongPassage(tokens, s.contextSize);
    return 'empty';
  }
  // Best-of-N puts the candidate nearest the target first, with the judge's verdict on it.
  const outcome = rewritten.proposals[0];
  return {
    text: outcome.text,
    truncated: outcome.cutOff > 0,
    promptTokens: outcome.result.promptTokens,
    ...(outcome.candidate ? { verdict: outcome.candidate } : {}),
    judgements: n - rewritten.empty,
  };
}

/**
 * Writes one sample's output (a rewrite, or with --tasks free writing). Throws EmptyRewriteError when nothing
 * usable came back, and the passage's own TooLongError (isPassageTooLong) when its prompt and the token limit
 * do not fit the context.
 */
export async function writeSample(
  p: PlannedSample,
  generator: TextGenerator,
  judge: () => Promise<TextGenerator>,
  s: WriteSetup,
): Promise<Written | 'cancelled'> {
  const n = p.bestOf ?? 1;
  const written = s.tasks
    ? await writeFromTask(generator, p, n, {
        temperature: s.sampling?.temperature ?? DEFAULT_SAMPLING.temperature,
        maxTokens: s.maxTokens,
        ...(s.signal ? { signal: s.signal } : {}),
        judge,
        ...(s.judgeOptions ? { judgeOptions: s.judgeOptions } : {}),
      }).catch((err: unknown) => {
        throw asPassageTooLong(err);
      })
    : await rewritePassage(p, n, generator, judge, s);
  if (written === 'cancelled') return 'cancelled';
  if (written === 'empty') throw new EmptyRewriteError('the model wrote nothing usable (empty after clean-up)');
  // Without a token count up front, the first output shows the prompt's size.
  if (s.contextSize !== undefined && written.promptTokens + s.maxTokens > s.contextSize)
    throw tooLongPassage(written.promptTokens, s.contextSize);
  return written;
}
