// The style check of one document: its prose paragraphs scored against a rubric, each paragraph's level,
// and which ones sit off the target level. One use case for the CLI and the editor alike.
import { JUDGE_PROMPT_VERSION, DEFAULT_MAX_CRITIQUE_CHARS, nearestLevel } from '../judge';
import { LEVELS, type Level, type Rubric } from '../rubrics/types';
import type { TextRange } from '../paragraphs';
import { cacheKey, type CacheKeyParts, type CachedOutcome, type CheckCache } from './cache';
import { judgeAll, type CheckJudge, type JudgeOutcome } from './judge-all';
import { proseParagraphs, type ProseParagraph } from './select';

/** A level 1–5, or the median level of the paragraphs checked. */
export type CheckTarget = Level | 'median';

export interface CheckOptions {
  rubric: Rubric;
  target: CheckTarget;
  /** The judge model's identity (identity.ts): part of every cache key. */
  judgeId: string;
  /** The judge, asked for only when some paragraph is not in the cache (so a re-check loads no model). */
  judge: () => Promise<CheckJudge>;
  cache: CheckCache;
  critiqueChars?: number;
  temperature?: number;
  /** The context size asked for ('auto' or a number): a too-long verdict is reused only under the same one. */
  contextSetting?: string;
  /** Only the paragraphs that overlap this range (a selection). */
  range?: TextRange;
  signal?: AbortSignal;
  /** After each paragraph is settled (from the cache or the judge): how many of how many. */
  onProgress?: (done: number, total: number, paragraph: CheckedParagraph) => void;
  /** A cache write failed (the check goes on; the judgement is kept in memory). */
  onCacheError?: (err: unknown) => void;
}

export type ParagraphStatus = 'scored' | 'too-long' | 'failed' | 'cancelled';

export interface CheckedParagraph extends ProseParagraph {
  status: ParagraphStatus;
  score?: number;
  level?: Level;
  critique?: string;
  /** Off the target by one level or more. */
  offTarget: boolean;
  /** The judgement came from the cache (no model work). */
  cached: boolean;
  /** too-long: the prompt's tokens and the context; failed: why. */
  promptTokens?: number;
  contextSize?: number;
  error?: string;
}

export interface CheckReport {
  paragraphs: CheckedParagraph[];
  /** The target level; undefined for 'median' when nothing was scored. */
  target: Level | undefined;
  rubric: { id: string; hash: string };
  judge: string;
  counts: Record<ParagraphStatus | 'offTarget' | 'cached' | 'judged', number>;
}

/** The median of the scores (the mean of the middle two for an even count), as a level. */
export function medianLevel(scores: readonly number[]): Level | undefined {
  if (!scores.length) return undefined;
  const s = [...scores].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return nearestLevel(median, LEVELS);
}

function applyOutcome(p: CheckedParagraph, o: JudgeOutcome | CachedOutcome): void {
  if (o.kind === 'score') {
    p.status = 'scored';
    p.score = o.score;
    p.critique = o.critique;
    p.level = nearestLevel(o.score, LEVELS);
  } else if (o.kind === 'too-long') {
    p.status = 'too-long';
    p.promptTokens = o.promptTokens;
    p.contextSize = o.contextSize;
  } else if (o.kind === 'failed') {
    p.status = 'failed';
    p.error = o.message;
  } else p.status = 'cancelled';
}

/**
 * Checks `text` (a whole document in `languageId`): every prose paragraph (select.ts) is scored by the
 * judge, or taken from the cache; new judgements are cached as they arrive, so a cancelled check keeps
 * what it scored and the next one starts from there.
 */
export async function checkDocument(
  text: string,
  languageId: string | undefined,
  options: CheckOptions,
): Promise<CheckReport> {
  const { rubric, cache } = options;
  const critiqueChars = options.critiqueChars ?? DEFAULT_MAX_CRITIQUE_CHARS;
  const temperature = options.temperature ?? 0;
  const range = options.range;
  const selected = proseParagraphs(text, languageId).filter(
    (p) =>
      !range ||
      (p.start < range.end && p.end > range.start) ||
      (range.start === range.end && p.start <= range.start && range.start <= p.end),
  );
  const paragraphs: CheckedParagraph[] = selected.map((p) => ({
    ...p,
    status: 'cancelled',
    offTarget: false,
    cached: false,
  }));
  const base: Omit<CacheKeyParts, 'text'> = {
    rubricHash: rubric.hash,
    judge: options.judgeId,
    promptVersion: JUDGE_PROMPT_VERSION,
    critiqueChars,
    temperature,
  };
  const scoreKey = (p: ProseParagraph) => cacheKey({ ...base, text: p.text });
  const longKey = (p: ProseParagraph) => cacheKey({ ...base, text: p.text, context: options.contextSetting ?? 'auto' });

  let done = 0;
  const misses: CheckedParagraph[] = [];
  for (const p of paragraphs) {
    const hit = (await cache.get(scoreKey(p))) ?? (await cache.get(longKey(p)));
    if (hit) {
      applyOutcome(p, hit);
      p.cached = true;
      options.onProgress?.(++done, paragraphs.length, p);
    } else misses.push(p);
  }

  if (misses.length && !options.signal?.aborted) {
    // Identical paragraphs (a repeated disclaimer) are judged once.
    const unique = [...new Set(misses.map((p) => p.text))];
    let judge: CheckJudge | undefined;
    let loadError: string | undefined;
    try {
      judge = await options.judge();
    } catch (err) {
      loadError = err instanceof Error ? err.message : String(err);
    }
    const settle = async (textIndex: number, o: JudgeOutcome) => {
      const t = unique[textIndex];
      const targets = misses.filter((p) => p.text === t);
      if (o.kind === 'score' || o.kind === 'too-long') {
        try {
          await cache.set(o.kind === 'score' ? scoreKey(targets[0]) : longKey(targets[0]), o);
        } catch (err) {
          options.onCacheError?.(err);
        }
      }
      for (const p of targets) {
        applyOutcome(p, o);
        options.onProgress?.(++done, paragraphs.length, p);
      }
    };
    if (!judge) {
      for (let i = 0; i < unique.length; i++) await settle(i, { kind: 'failed', message: loadError ?? 'no judge' });
    } else {
      const pending: Promise<void>[] = [];
      await judgeAll(judge, rubric, unique, {
        maxCritiqueChars: critiqueChars,
        temperature,
        ...(options.signal ? { signal: options.signal } : {}),
        onOutcome: (i, o) => pending.push(settle(i, o)),
      });
      await Promise.all(pending);
    }
  }

  const scores = paragraphs.filter((p) => p.status === 'scored').map((p) => p.score!);
  const target = options.target === 'median' ? medianLevel(scores) : options.target;
  for (const p of paragraphs) p.offTarget = p.status === 'scored' && target !== undefined && p.level !== target;
  const count = (f: (p: CheckedParagraph) => boolean) => paragraphs.filter(f).length;
  return {
    paragraphs,
    target,
    rubric: { id: rubric.id, hash: rubric.hash },
    judge: options.judgeId,
    counts: {
      scored: count((p) => p.status === 'scored'),
      'too-long': count((p) => p.status === 'too-long'),
      failed: count((p) => p.status === 'failed'),
      cancelled: count((p) => p.status === 'cancelled'),
      offTarget: count((p) => p.offTarget),
      cached: count((p) => p.cached),
      judged: count((p) => !p.cached && p.status === 'scored'),
    },
  };
}
