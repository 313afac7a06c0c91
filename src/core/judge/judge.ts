// Scoring a text against a rubric with any TextGenerator (the local engine or an OpenAI-compatible
// server). The answer is constrained to {"critique": string, "score": 0..100} by the engine's JSON-schema
// grammar, so even a random-weight test model returns a score that parses; an endpoint that ignores the
// schema is read leniently.
import type { GenerateRequest, GenerateResult, JsonSchema, TextGenerator } from '../engine/types';
import { lockstep } from '../engine/batch';
import type { Rubric } from '../rubrics/types';
import { judgePrompt } from './prompt';
import { CANCELLED, CptError } from '../errors';

export interface JudgeOptions {
  /** Sampling temperature of the judge (default 0: the same text gets the same score). */
  temperature?: number;
  /** Most characters of critique (default DEFAULT_MAX_CRITIQUE_CHARS; 0 = a score alone). */
  maxCritiqueChars?: number;
  seed?: number;
  signal?: AbortSignal;
}

export interface Judgement {
  /** A whole number from 0 to 100. */
  score: number;
  critique: string;
}

export const DEFAULT_MAX_CRITIQUE_CHARS = 300;
/**
 * The most characters of critique anyone may ask for: llama.cpp's grammar parser refuses a repetition
 * of 2,000 (measured with node-llama-cpp 3.21.1: {0,1000} parses, {0,2000} does not), and the token
 * budget grows with it.
 */
export const MAX_CRITIQUE_CHARS = 1000;

/**
 * Every score the grammar allows: node-llama-cpp's grammar ignores numeric minimum/maximum, so the range is an enum.
 */
const SCORES: readonly number[] = Array.from({ length: 101 }, (_, i) => i);

/**
 * Tokens for the JSON around the critique: braces, both keys, colons, a comma, a score of up to three
 * digits and the grammar's optional whitespace (at most a newline and an indent per gap), at one
 * character a token, plus the end-of-text token.
 */
const FRAME_TOKENS = 64;
/**
 * The most tokens one critique character can cost: the grammar lets a character be written as a
 * \uXXXX escape, six characters that a byte-level vocabulary may spend a token on each (a UTF-8
 * character costs at most four byte tokens, fewer than that).
 */
const TOKENS_PER_CRITIQUE_CHAR = 6;

/** The answer's schema: critique first (the model reasons before it scores), length-capped; the score one of 0..100. */
export function judgeSchema(maxCritiqueChars: number): JsonSchema {
  return {
    type: 'object',
    properties: {
      critique: { type: 'string', maxLength: maxCritiqueChars },
      score: { enum: SCORES },
    },
    required: ['critique', 'score'],
  };
}

/** Enough tokens that the grammar-constrained JSON always closes, whatever the model picks. */
export function judgeMaxTokens(maxCritiqueChars: number): number {
  return FRAME_TOKENS + TOKENS_PER_CRITIQUE_CHAR * maxCritiqueChars;
}

/** The judge gave nothing a score could be read from (twice), or was asked something it cannot answer. */
export class JudgeError extends CptError<'JUDGE'> {
  constructor(
    message: string,
    readonly answer?: string,
  ) {
    super('JUDGE', message);
    this.name = 'JudgeError';
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The JSON object in an answer: the whole text, or (from a server that ignored the schema) the first {…} in it. */
function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const tryParse = (s: string) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const whole = tryParse(text.trim());
  if (whole) return whole;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? tryParse(text.slice(start, end + 1)) : undefined;
}

/** A score from 0 to 100 as a whole number, or undefined. Servers that ignore the schema may send "72" or 72.5. */
function scoreFrom(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100) return undefined;
  return Math.round(n);
}

/**
 * Reads a judge's answer: the schema's JSON (always, from the local engine), else the first JSON object in
 * the text, else a `"score": N` the text still holds (a critique cut off by a token limit). Undefined when
 * no score from 0 to 100 is there.
 */
export function parseJudgement(text: string, maxCritiqueChars: number): Judgement | undefined {
  const obj = jsonObjectIn(text);
  const critiqueOf = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, maxCritiqueChars) : '');
  if (obj) {
    const score = scoreFrom(obj.score);
    if (score !== undefined) return { score, critique: critiqueOf(obj.critique) };
  }
  const m = /"score"\s*:\s*"?(\d{1,3}(?:\.\d+)?)/.exec(text);
  const score = m ? scoreFrom(m[1]) : undefined;
  if (score === undefined) return undefined;
  const c = /"critique"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
  let critique = '';
  if (c) {
    try {
      critique = JSON.parse(`"${c[1]}"`) as string;
    } catch {
      critique = c[1];
    }
  }
  return { score, critique: critiqueOf(critique) };
}

function checkOptions(options: JudgeOptions): number {
  const cap = options.maxCritiqueChars ?? DEFAULT_MAX_CRITIQUE_CHARS;
  if (!Number.isInteger(cap) || cap < 0 || cap > MAX_CRITIQUE_CHARS) {
    throw new JudgeError(`maxCritiqueChars must be a whole number from 0 to ${MAX_CRITIQUE_CHARS}, got ${cap}`);
  }
  const t = options.temperature;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0))
    throw new JudgeError(`the judge's temperature must be a number of at least 0, got ${t}`);
  return cap;
}

/** Thrown by judgeText when the signal fired: nothing was scored. */
export class JudgeCancelledError extends CptError<typeof CANCELLED> {
  constructor() {
    super(CANCELLED, 'judging was cancelled');
    this.name = 'JudgeCancelledError';
  }
}

/**
 * Scores `text` against `rubric`: a short critique, then one whole-number score from 0 to 100.
 *
 * The local engine's grammar makes the answer valid JSON within judgeMaxTokens. Only a context too full
 * for that many tokens can cut it short; the judge then asks once more with a critique cap that fits the
 * tokens it was given (at worst a score alone), so a score still comes back. Throws JudgeError when no
 * score could be read, JudgeCancelledError when the signal fired, and the generator's own errors.
 */
export async function judgeText(
  generator: TextGenerator,
  rubric: Rubric,
  text: string,
  options: JudgeOptions = {},
): Promise<Judgement> {
  const cap = checkOptions(options);
  const ask = async (
    critiqueChars: number,
  ): Promise<{ result: GenerateResult; judgement?: Judgement; maxTokens: number }> => {
    const prompt = judgePrompt(rubric, text, critiqueChars);
    const maxTokens = judgeMaxTokens(critiqueChars);
    const req: GenerateRequest = {
      system: prompt.system,
      user: prompt.user,
      maxTokens,
      temperature: options.temperature ?? 0,
      jsonSchema: judgeSchema(critiqueChars),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const result = await generator.generate(req);
    if (result.stopReason === 'aborted' || options.signal?.aborted) throw new JudgeCancelledError();
    return { result, judgement: parseJudgement(result.text, critiqueChars), maxTokens };
  };

  const first = await ask(cap);
  if (first.judgement) return first.judgement;
  if (first.result.stopReason === 'maxTokens' && cap > 0) {
    // Cut off: by the context (fewer tokens than asked for came out) or by a server that ignored the cap.
    const room = Math.min(first.result.outputTokens || first.maxTokens, first.maxTokens);
    const fitting = Math.max(0, Math.floor((room - FRAME_TOKENS) / TOKENS_PER_CRITIQUE_CHAR));
    const second = await ask(Math.min(fitting, Math.floor(cap / 4)));
    if (second.judgement) return second.judgement;
    throw new JudgeError(
      `the judge's answer was cut off twice and holds no score from 0 to 100: ` +
        `${JSON.stringify(clip(second.result.text, 120))}`,
      second.result.text,
    );
  }
  throw new JudgeError(
    `the judge's answer holds no score from 0 to 100: ${JSON.stringify(clip(first.result.text, 120))}`,
    first.result.text,
  );
}

/**
 * Scores each of `texts` against `rubric` as judgeText does, all at once: with the local engine the
 * judgements run as parallel sequences of one context (the judge prompt's shared prefix evaluated once and
 * copied into each), with another generator one after another. Results in the order of `texts`; throws
 * JudgeCancelledError when the signal fired, else the first failure in that order.
 */
export async function judgeTexts(
  generator: TextGenerator,
  rubric: Rubric,
  texts: readonly string[],
  options: JudgeOptions = {},
): Promise<Judgement[]> {
  if (!generator.generateBatch) {
    // One after another, and nothing more after a cancel or a failure.
    const out: Judgement[] = [];
    for (const text of texts) out.push(await judgeText(generator, rubric, text, options));
    return out;
  }
  const step = lockstep(generator, texts.length);
  const settled = await Promise.allSettled(
    texts.map(async (text, i) => {
      try {
        return await judgeText(step.generators[i]!, rubric, text, options);
      } finally {
        step.done(i);
      }
    }),
  );
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  const cancelled = failed.find((f) => f.reason instanceof JudgeCancelledError);
  if (cancelled || failed.length) throw (cancelled ?? failed[0]!).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<Judgement>).value);
}
