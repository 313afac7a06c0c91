// The rewrite use case, whole: plan the text (one part or several), gather the context around each part,
// build the prompts, stream, clean, check the markup, and with best-of-N write and judge candidates. The
// CLI (`cpt-writer rewrite`), the editor and eval call this one function and only present what it returns,
// so the proposals, the feedback records and the best-of policy are the same for all of them.
//
// Best-of-N on a text too long for one part: best-of per part is out of scope (N candidates per part would
// multiply into N^parts combinations to judge), so such a text is rewritten ONCE, in parts, with no
// candidates and no scores. The 'planned' event says so (`bestOfDropped`), and every caller tells the
// writer: the CLI on stderr, the editor in its log.
import type { GenerateResult, TextGenerator } from '../engine/types';
import type { JudgeOptions } from '../judge/judge';
import { contextAround, DEFAULT_CONTEXT_TOKENS, estimateTokenCount, type TextRange } from '../paragraphs';
import { runBestOf, type CandidateEvent } from './best-of';
import { createOutputCleaner, type OutputCleaner } from './cleanup';
import { createPartsPrinter, planRewrite, rewriteInParts, type PartEvent, type PartsJob } from './parts';
import type { RewriteRecord } from './types';

/** What to rewrite and how: the text, its style and source, the model, sampling, note and surroundings. */
export type RewriteRequest = Omit<PartsJob, 'onPart' | 'onToken' | 'signal'>;

export interface RewriteJudge {
  /** The judge, or a way to get it once it is needed (a second model is loaded only then). */
  generator: TextGenerator | (() => Promise<TextGenerator>);
  options?: Omit<JudgeOptions, 'signal'>;
}

export interface RewriteOptions {
  /** Best-of-N: write this many candidates (1..MAX_BEST_OF) and judge them; needs `judge`. */
  bestOf?: number;
  judge?: RewriteJudge;
  signal?: AbortSignal;
  onEvent?: (event: RewriteProgress) => void;
  /**
   * Best-of-N with a batching engine: every candidate's 'text' streams live, interleaved, each piece naming
   * its candidate (a view that shows them all). False (default): in turn, as a one-stream view expects.
   */
  streamAll?: boolean;
}

/**
 * What happens while a rewrite runs, in order. 'text' pieces join to exactly the proposal being written
 * (cleaned as it streams, separators and kept parts included); with best-of-N each candidate streams
 * from the start, so a consumer that shows the stream starts afresh on each candidate 'writing' event.
 */
export type RewriteProgress =
  | {
      type: 'planned';
      /** How many parts the text is rewritten in. */
      parts: number;
      /** Candidates that will be written (0: a single rewrite). */
      bestOf: number;
      /** Best-of-N was asked for a text too long for one part, so it is rewritten once, in parts. */
      bestOfDropped?: number;
    }
  | ({ type: 'part' } & PartEvent)
  | ({ type: 'candidate' } & CandidateEvent)
  /** `candidate`: best-of-N, which candidate (writing order) the piece belongs to. */
  | { type: 'text'; text: string; candidate?: number };

/** One part of a proposal: where its replacement is in the proposal, and the record logged for it. */
export interface ProposalPart {
  range: TextRange;
  /** The part of the original it replaces. */
  original: string;
  /** Index into the result's `records`; undefined when the model gave nothing usable (the original is kept). */
  record?: number;
}

export interface RewriteProposal {
  text: string;
  parts: ProposalPart[];
  /** What of the original's markup the proposal lost or altered; [] when nothing. */
  markupLost: string[];
  /** How many of its parts stopped at the token limit (the proposal may be incomplete). */
  cutOff: number;
  /**
   * The token budget it was written with (scaled with the text, capped by the writer's maxTokens: see
   * core/rewrite-budget.ts); in parts, the largest budget of a part that was cut off, else of any part.
   */
  maxTokens: number;
  result: GenerateResult;
  /** Best-of-N: the judge's verdict; `index` is its place among the proposals and the logged candidates. */
  candidate?: { index: number; written: number; seed: number; score: number; critique: string; distance: number };
}

/**
 * 'done': the proposals (one, or every best-of candidate nearest the target first) and the records the
 * feedback log gets (one per part with a proposal, or one with every candidate in it). 'empty': nothing
 * usable. 'cancelled': the signal fired.
 */
export type RewriteResult =
  | {
      status: 'done';
      kind: 'single' | 'parts' | 'best-of';
      proposals: RewriteProposal[];
      records: RewriteRecord[];
      /** Best-of-N: the level's target score, and how many candidates gave no text. */
      target?: number;
      empty: number;
      result: GenerateResult;
    }
  | { status: 'empty'; kind: 'single' | 'parts' | 'best-of'; result: GenerateResult }
  | { status: 'cancelled'; kind: 'single' | 'parts' | 'best-of'; result: GenerateResult };

/** Rewrites `request.text`: see the file comment. Engine and judge failures are thrown. */
export async function rewrite(
  generator: TextGenerator,
  request: RewriteRequest,
  options: RewriteOptions = {},
): Promise<RewriteResult> {
  const emit = (e: RewriteProgress) => options.onEvent?.(e);
  const job: PartsJob = { ...request, ...(options.signal ? { signal: options.signal } : {}) };
  const asked = options.bestOf;
  const plan = await planRewrite(job);
  if (asked !== undefined && plan.length === 1) {
    emit({ type: 'planned', parts: 1, bestOf: asked });
    return bestOf(generator, job, asked, options, emit);
  }
  emit({ type: 'planned', parts: plan.length, bestOf: 0, ...(asked !== undefined ? { bestOfDropped: asked } : {}) });
  return inParts(generator, job, emit);
}

async function inParts(
  generator: TextGenerator,
  job: PartsJob,
  emit: (e: RewriteProgress) => void,
): Promise<RewriteResult> {
  const printer = createPartsPrinter(job.text);
  const text = (t: string) => {
    if (t) emit({ type: 'text', text: t });
  };
  const outcome = await rewriteInParts(generator, {
    ...job,
    onPart: (event) => {
      emit({ type: 'part', ...event });
      text(printer.part(event));
    },
    onToken: (piece) => text(printer.token(piece)),
  });
  // What follows the last part (the text's trailing whitespace); nothing after a cancel.
  text(printer.finish());
  const kind = outcome.parts.length > 1 ? 'parts' : 'single';
  if (outcome.status === 'empty' || outcome.status === 'cancelled')
    return { status: outcome.status, kind, result: outcome.result };
  let record = 0;
  const parts: ProposalPart[] = outcome.parts.map((part) => ({
    range: part.proposalRange ?? { start: 0, end: 0 },
    original: job.text.slice(part.range.start, part.range.end),
    ...(part.outcome.status === 'done' ? { record: record++ } : {}),
  }));
  const cut = outcome.parts.filter((p) => p.outcome.result.stopReason === 'maxTokens');
  const proposal: RewriteProposal = {
    text: outcome.text,
    parts,
    markupLost: outcome.markupLost,
    cutOff: cut.length,
    maxTokens: Math.max(...(cut.length ? cut : outcome.parts).map((p) => p.outcome.sampling.maxTokens)),
    result: outcome.result,
  };
  return { status: 'done', kind, proposals: [proposal], records: outcome.records, empty: 0, result: outcome.result };
}

async function bestOf(
  generator: TextGenerator,
  job: PartsJob,
  n: number,
  options: RewriteOptions,
  emit: (e: RewriteProgress) => void,
): Promise<RewriteResult> {
  if (!options.judge) throw new Error('best-of-N needs a judge');
  const given = options.judge.generator;
  const judge = typeof given === 'function' ? await given() : given;
  const context = await contextAround(job.surrounding?.before ?? '', job.surrounding?.after ?? '', {
    languageId: job.source?.languageId,
    maxTokens: job.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
    countTokens: job.countTokens ?? estimateTokenCount,
  });
  const {
    surrounding: _s,
    contextTokens: _c,
    contextSize: _z,
    countTokens: _t,
    onPart: _p,
    onToken: _o,
    fresh: _f,
    ...base
  } = job;
  // One cleaner per candidate: with streamAll their pieces arrive interleaved.
  const cleaners: OutputCleaner[] = [];
  const outcome = await runBestOf(generator, {
    ...base,
    ...(context.before || context.after ? { context } : {}),
    n,
    judge: { generator: judge, ...(options.judge.options ? { options: options.judge.options } : {}) },
    streamAll: options.streamAll ?? false,
    onToken: (piece, candidate) => {
      const t = cleaners[candidate]?.push(piece) ?? '';
      if (t) emit({ type: 'text', text: t, candidate });
    },
    onCandidate: (e) => {
      if (e.phase === 'writing') cleaners[e.index] = createOutputCleaner(job.text);
      emit({ type: 'candidate', ...e });
      if (e.phase === 'written' && e.outcome.status === 'done') {
        const tail = cleaners[e.index]?.end() ?? '';
        if (tail) emit({ type: 'text', text: tail, candidate: e.index });
      }
    },
  });
  if (outcome.status === 'empty' || outcome.status === 'cancelled')
    return { status: outcome.status, kind: 'best-of', result: outcome.result };
  const proposals = outcome.candidates.map((c, index): RewriteProposal => ({
    text: c.text,
    parts: [{ range: { start: 0, end: c.text.length }, original: job.text, record: 0 }],
    markupLost: c.markupLost,
    cutOff: c.outcome.result.stopReason === 'maxTokens' ? 1 : 0,
    maxTokens: c.outcome.sampling.maxTokens,
    result: c.outcome.result,
    candidate: {
      index,
      written: c.index,
      seed: c.seed,
      score: c.score,
      critique: c.critique,
      distance: c.distance,
    },
  }));
  return {
    status: 'done',
    kind: 'best-of',
    proposals,
    records: [outcome.record],
    target: outcome.target,
    empty: outcome.empty,
    result: outcome.result,
  };
}
