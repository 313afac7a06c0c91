// Rewriting a text of any length: one runRewrite when its prompt fits the model's context, otherwise
// paragraph by paragraph (never cutting a fence or an environment), each part with the same style, the
// neighbouring text as read-only context, and the original separators between the parts, so the layout
// is kept. The result is one proposal for the whole text.
//
// The feedback log gets one record per part, each with exactly the prompt that part was rewritten with.
// A record for the whole text would carry a prompt no model was served (and one too long to train on), so
// preference pairs built from it would teach something other than what the extension asks; per-part
// records are ordinary rewrites to Build Preference Pairs, and `part` ties them together.
import { randomBytes } from 'node:crypto';
import type { GenerateResult, TextGenerator } from '../engine/types';
import { markupLost } from '../markup';
import {
  contextAround,
  DEFAULT_CONTEXT_TOKENS,
  estimateTokenCount,
  splitBlocks,
  type Block,
  type CountTokens,
  type TextRange,
} from '../paragraphs';
import { createOutputCleaner, type OutputCleaner } from './cleanup';
import { resolvePromptMode } from './mode';
import { rewritePrompt } from './prompt';
import { DEFAULT_SAMPLING, runRewrite } from './run';
import type { RewriteJob, RewriteOutcome, RewriteRecord } from './types';

/** Tokens kept free for the chat template's own tokens around the two messages. */
export const TEMPLATE_TOKENS = 64;
/** A rewrite may come out this much longer than its text (more ornate, more formal); the budget allows for it. */
export const OUTPUT_GROWTH = 1.25;
/** The smallest text budget a part gets, however full the context already is. */
const MIN_PART_TOKENS = 32;

export interface PartsJob extends Omit<RewriteJob, 'onToken' | 'context'> {
  /** The document's text before and after `text`; the context the model reads is taken from it. */
  surrounding?: { before: string; after: string };
  /** Most tokens of read-only context on each side (default DEFAULT_CONTEXT_TOKENS; 0 = none). */
  contextTokens?: number;
  /** The engine's context size in tokens; without it the text is rewritten in one part. */
  contextSize?: number;
  /** Token counts for the budget (default: a conservative estimate); the engine's own counts are better. */
  countTokens?: CountTokens;
  /** A part starts ('start') or ends ('end', with its outcome). */
  onPart?: (event: PartEvent) => void;
  /** Each piece of raw model output as it streams, with the index of its part. */
  onToken?: (text: string, part: number) => void;
}

export interface PartEvent {
  phase: 'start' | 'end';
  index: number;
  count: number;
  /** Where the part is in the job's text. */
  range: TextRange;
  outcome?: RewriteOutcome;
}

export interface RewritePart {
  /** Where the part is in the job's text. */
  range: TextRange;
  /** Where its replacement is in the combined proposal (done outcomes only). */
  proposalRange?: TextRange;
  outcome: RewriteOutcome;
  /** The part's replacement: the cleaned proposal, or the original when the model gave nothing usable. */
  text: string;
}

/**
 * The outcome of rewriting a whole text. 'done': `text` is the combined proposal, `records` one feedback
 * record per part that produced a proposal, `markupLost` the guard's report for the whole text. 'empty':
 * no part produced anything usable. 'cancelled': the signal fired; no part after it was started.
 */
export type PartsOutcome =
  | {
      status: 'done';
      text: string;
      markupLost: string[];
      records: RewriteRecord[];
      parts: RewritePart[];
      result: GenerateResult;
    }
  | { status: 'empty'; parts: RewritePart[]; result: GenerateResult }
  | { status: 'cancelled'; parts: RewritePart[]; result: GenerateResult };

/**
 * How many tokens of text one part may have: what the context leaves after the system prompt, the
 * instruction, the note, the context on both sides and the template, shared between the text and its
 * rewrite (which may be OUTPUT_GROWTH times longer), and no more than maxTokens lets the rewrite be.
 */
export async function partBudget(job: PartsJob, contextSize: number): Promise<number> {
  const count = job.countTokens ?? estimateTokenCount;
  const mode = resolvePromptMode(job.promptMode, job.model);
  const contextTokens = job.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  const empty = rewritePrompt('', job.style, mode, job.source?.languageId, {
    ...(job.note ? { note: job.note } : {}),
    ...(contextTokens > 0 ? { context: { before: '…', after: '…' } } : {}),
  });
  const overhead = (await count(empty.system)) + (await count(empty.user)) + 2 * contextTokens + TEMPLATE_TOKENS;
  const maxTokens = job.sampling?.maxTokens ?? DEFAULT_SAMPLING.maxTokens;
  const budget = Math.floor(Math.min((contextSize - overhead) / (1 + OUTPUT_GROWTH), maxTokens / OUTPUT_GROWTH));
  return Math.max(MIN_PART_TOKENS, budget);
}

/** Sentence ranges of one line (the whitespace between sentences is left out). */
function sentences(text: string, range: TextRange): TextRange[] {
  const out: TextRange[] = [];
  const slice = text.slice(range.start, range.end);
  let from = 0;
  for (const m of slice.matchAll(/[.!?…]["')\]]*(\s+)/g)) {
    const end = m.index + m[0].length - m[1].length;
    out.push({ start: range.start + from, end: range.start + end });
    from = m.index + m[0].length;
  }
  if (from < slice.length) out.push({ start: range.start + from, end: range.end });
  return out;
}

/** A block cut one level finer: into its lines, or a single line into sentences. */
function finer(text: string, block: Block): Block[] {
  const lines: Block[] = [];
  let start = block.start;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 || nl >= block.end ? block.end : nl;
    const lineEnd = text[end - 1] === '\r' ? end - 1 : end;
    if (text.slice(start, lineEnd).trim()) lines.push({ start, end: lineEnd, atomic: false });
    if (end >= block.end) break;
    start = end + 1;
  }
  if (lines.length > 1) return lines;
  return sentences(text, block).map((r) => ({ ...r, atomic: false }));
}

/**
 * The ranges of `text` to rewrite one by one so that each fits `budget` tokens: the whole text when it
 * fits, else paragraphs grouped greedily; a paragraph too long on its own is cut into lines, a line into
 * sentences. A block that must not be cut (a fence, an environment) or a single sentence that does not
 * fit becomes a part of its own anyway (the engine then says the context is too small).
 */
export async function planParts(
  text: string,
  languageId: string | undefined,
  budget: number,
  countTokens: CountTokens = estimateTokenCount,
): Promise<TextRange[]> {
  if ((await countTokens(text)) <= budget) return [{ start: 0, end: text.length }];
  const fits = async (r: TextRange) => (await countTokens(text.slice(r.start, r.end))) <= budget;
  const parts: TextRange[] = [];
  const place = async (units: Block[]): Promise<void> => {
    let current: TextRange | undefined;
    for (const unit of units) {
      if (current) {
        const joined = { start: current.start, end: unit.end };
        if (await fits(joined)) {
          current = joined;
          continue;
        }
        parts.push(current);
        current = undefined;
      }
      if (await fits(unit)) {
        current = { start: unit.start, end: unit.end };
        continue;
      }
      const smaller = unit.atomic ? [] : finer(text, unit);
      if (smaller.length > 1) await place(smaller);
      else parts.push({ start: unit.start, end: unit.end });
    }
    if (current) parts.push(current);
  };
  const blocks = splitBlocks(text, languageId);
  if (!blocks.length) return [{ start: 0, end: text.length }];
  await place(blocks);
  return parts;
}

export function sumResults(results: GenerateResult[]): GenerateResult {
  const total = (key: 'promptTokens' | 'reusedPromptTokens' | 'outputTokens' | 'totalMs') =>
    results.reduce((s, r) => s + r[key], 0);
  const totalMs = total('totalMs');
  const outputTokens = total('outputTokens');
  const last = results[results.length - 1];
  return {
    text: results.map((r) => r.text).join(''),
    stopReason: results.some((r) => r.stopReason === 'maxTokens') ? 'maxTokens' : (last?.stopReason ?? 'eos'),
    promptTokens: total('promptTokens'),
    reusedPromptTokens: total('reusedPromptTokens'),
    outputTokens,
    timeToFirstTokenMs: results[0]?.timeToFirstTokenMs ?? 0,
    tokensPerSecond: totalMs > 0 ? outputTokens / (totalMs / 1000) : 0,
    totalMs,
    // Prompt tokens the persistent prompt cache gave back instead of evaluating them (shown as such).
    ...(results.some((r) => r.restoredPromptTokens)
      ? { restoredPromptTokens: results.reduce((s, r) => s + (r.restoredPromptTokens ?? 0), 0) }
      : {}),
  };
}

/** The parts rewriteInParts would rewrite `job.text` in (one range for a text that fits the context). */
export async function planRewrite(job: PartsJob): Promise<TextRange[]> {
  if (job.contextSize === undefined) return [{ start: 0, end: job.text.length }];
  const budget = await partBudget(job, job.contextSize);
  return planParts(job.text, job.source?.languageId, budget, job.countTokens ?? estimateTokenCount);
}

/**
 * Rewrites `job.text` in one part or several (see planParts and partBudget), each part with the same
 * style, note and sampling, and as context the text around it (the job's surroundings and the
 * neighbouring parts, as written), capped at `contextTokens` a side. Parts run one after another; the
 * signal stops the running part and starts no other. Engine failures are thrown as EngineError.
 */
export async function rewriteInParts(engine: TextGenerator, job: PartsJob): Promise<PartsOutcome> {
  const count = job.countTokens ?? estimateTokenCount;
  const languageId = job.source?.languageId;
  const contextTokens = job.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  const plan = await planRewrite(job);
  const group = randomBytes(8).toString('hex');
  const { surrounding, contextTokens: _c, contextSize: _s, countTokens: _t, onPart: _p, onToken: _o, ...base } = job;
  const parts: RewritePart[] = [];
  for (let index = 0; index < plan.length; index++) {
    const range = plan[index];
    const original = job.text.slice(range.start, range.end);
    const context = await contextAround(
      (surrounding?.before ?? '') + job.text.slice(0, range.start),
      job.text.slice(range.end) + (surrounding?.after ?? ''),
      { languageId, maxTokens: contextTokens, countTokens: count },
    );
    job.onPart?.({ phase: 'start', index, count: plan.length, range });
    const outcome = await runRewrite(engine, {
      ...base,
      text: original,
      ...(context.before || context.after ? { context } : {}),
      onToken: (piece) => job.onToken?.(piece, index),
    });
    parts.push({ range, outcome, text: outcome.status === 'done' ? outcome.text : original });
    job.onPart?.({ phase: 'end', index, count: plan.length, range, outcome });
    if (outcome.status === 'cancelled') break;
  }
  const result = sumResults(parts.map((p) => p.outcome.result));
  if (parts.some((p) => p.outcome.status === 'cancelled')) return { status: 'cancelled', parts, result };
  if (parts.every((p) => p.outcome.status === 'empty')) return { status: 'empty', parts, result };

  let text = '';
  let from = 0;
  const records: RewriteRecord[] = [];
  parts.forEach((p, index) => {
    text += job.text.slice(from, p.range.start);
    p.proposalRange = { start: text.length, end: text.length + p.text.length };
    text += p.text;
    from = p.range.end;
    if (p.outcome.status === 'done') {
      records.push(
        parts.length > 1 ? { ...p.outcome.record, part: { index, count: parts.length, group } } : p.outcome.record,
      );
    }
  });
  text += job.text.slice(from);
  return { status: 'done', text, markupLost: markupLost(job.text, text, languageId), records, parts, result };
}

/**
 * What to print while rewriteInParts streams, so the printed text is exactly the combined proposal:
 * feed it the job's onPart events and onToken pieces, and print what each call returns, then finish().
 * A part the model gave nothing usable for prints as written; after a cancel nothing more is printed.
 */
export interface PartsPrinter {
  part(event: PartEvent): string;
  token(piece: string): string;
  finish(): string;
}

export function createPartsPrinter(text: string): PartsPrinter {
  let printedUpTo = 0;
  let cleaner: OutputCleaner | undefined;
  let cancelled = false;
  return {
    part(event) {
      if (cancelled) return '';
      const original = text.slice(event.range.start, event.range.end);
      if (event.phase === 'start') {
        const separator = text.slice(printedUpTo, event.range.start);
        printedUpTo = event.range.start;
        cleaner = createOutputCleaner(original);
        return separator;
      }
      const c = cleaner;
      cleaner = undefined;
      printedUpTo = event.range.end;
      if (event.outcome?.status === 'cancelled') {
        cancelled = true;
        return '';
      }
      return event.outcome?.status === 'done' ? (c?.end() ?? '') : original;
    },
    token(piece) {
      return cancelled ? '' : (cleaner?.push(piece) ?? '');
    },
    finish() {
      return cancelled ? '' : text.slice(printedUpTo);
    },
  };
}
