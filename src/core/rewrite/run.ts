// The one rewrite use case: "rewrite this text to this style with this engine". The editor, the CLI and
// (through them) best-of-N, evaluation and data generation all come through here, so the prompt, the
// sampling and the clean-up are the same everywhere.
import type { TextGenerator } from '../engine/types';
import { layoutLike } from '../layout';
import { markupLost } from '../markup';
import { estimateTokenCount } from '../paragraphs/context';
import { SEED_RANGE } from '../seeds';
import { rewriteTokenBudget } from '../rewrite-budget';
import { cleanNote } from '../prompts/rewrite-message';
import { cleanRewrite } from './cleanup';
import { resolvePromptMode } from './mode';
import { rewritePrompt, rewritePromptPrefix } from './prompt';
import type { RewriteJob, RewriteOutcome, Sampling } from './types';

export const DEFAULT_SAMPLING: Readonly<Sampling> = { temperature: 0.7, maxTokens: 1024 };
/** The temperature a fresh candidate samples at when the writer's setting is greedy (0). */
export const FRESH_TEMPERATURE = 0.7;

/** The sampling a job runs with: its own values over the defaults, varied for a fresh candidate. */
export function samplingFor(job: Pick<RewriteJob, 'sampling' | 'fresh'>, random: () => number = Math.random): Sampling {
  const s: Sampling = { ...DEFAULT_SAMPLING, ...job.sampling };
  if (!job.fresh) return s;
  return {
    ...s,
    temperature: s.temperature === 0 ? FRESH_TEMPERATURE : s.temperature,
    seed: job.sampling?.seed ?? Math.floor(random() * SEED_RANGE),
  };
}

/** Rewrites `job.text` in `job.style`; engine failures are thrown as EngineError. */
export async function runRewrite(engine: TextGenerator, job: RewriteJob): Promise<RewriteOutcome> {
  const mode = resolvePromptMode(job.promptMode, job.model);
  const note = cleanNote(job.note);
  const context = { before: job.context?.before?.trim() ?? '', after: job.context?.after?.trim() ?? '' };
  const hasContext = context.before !== '' || context.after !== '';
  const prompt = rewritePrompt(job.text, job.style, mode, job.source?.languageId, {
    ...(hasContext ? { context } : {}),
    ...(note ? { note } : {}),
  });
  // The writer's maxTokens is a cap; the budget scales with the text (per part when split), counted with
  // the estimate rather than the engine's tokenizer so that every caller gives the same budget.
  const chosen = samplingFor(job);
  const sampling = { ...chosen, maxTokens: rewriteTokenBudget(await estimateTokenCount(job.text), chosen.maxTokens) };
  let raw = '';
  const result = await engine.generate({
    system: prompt.system,
    user: prompt.user,
    // What prewarm evaluates: the engine saves that prefix to its prompt cache on a miss.
    userPrefix: rewritePromptPrefix(job.style, mode, job.source?.languageId).userPrefix,
    maxTokens: sampling.maxTokens,
    temperature: sampling.temperature,
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
    ...(job.signal ? { signal: job.signal } : {}),
    onToken: (piece) => {
      raw += piece;
      job.onToken?.(piece);
    },
  });
  raw = result.text || raw;
  const base = { prompt, sampling, raw, result };
  if (result.stopReason === 'aborted') return { ...base, status: 'cancelled' };
  const cleaned = cleanRewrite(job.text, raw);
  if (!cleaned) return { ...base, status: 'empty' };
  // Laid out like the original (hard wraps, comment markers): what the writer is shown, what is
  // inserted, and what the log keeps; pairs join the line breaks again (core/pairs).
  const text = layoutLike(job.text, cleaned, job.source?.languageId);
  const lost = markupLost(job.text, text, job.source?.languageId);
  return {
    ...base,
    status: 'done',
    text,
    markupLost: lost,
    record: {
      rubric: { id: job.style.rubric.id, hash: job.style.rubric.hash },
      level: job.style.level,
      mode,
      system: prompt.system,
      user: prompt.user,
      original: job.text,
      output: text,
      model: { name: job.model.name, file: job.model.file },
      sampling: {
        temperature: sampling.temperature,
        maxTokens: sampling.maxTokens,
        ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
      },
      document: { languageId: job.source?.languageId ?? 'plaintext', path: job.source?.path ?? '' },
      markupLost: lost,
      ...(note ? { note } : {}),
      ...(hasContext ? { context } : {}),
    },
  };
}
