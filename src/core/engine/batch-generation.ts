// generateBatch in the engine process: the jobs run as parallel sequences of the loaded model's pool, as
// many at once as fit, each sequence taking the next job when its own ends. Each job has its own seed,
// sampler and grammar (generateOnSequence, the same code a single generate uses, so the same seed gives the
// same text either way). The prompts' shared prefix (the system prompt and the instruction) is evaluated
// once in one sequence and copied into the others through a saved sequence state: measured on this CPU,
// evaluating it in every sequence at once cost several times as much as the copy (BENCHMARKS.md, "Parallel
// best-of-N").
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { LlamaContextSequence, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { rm } from 'node:fs/promises';
import type { LoadedModel } from './loaded-model';
import type { GenerateBatchResult, GenerateParams } from './protocol';
import { generateOnSequence } from './sequence-generation';
import { EngineError, type GenerateResult } from './types';

export interface BatchEnvironment {
  nlc: typeof NodeLlamaCpp;
  loaded: LoadedModel;
  grammar(schema: NonNullable<GenerateParams['jsonSchema']>): Promise<NodeLlamaCpp.LlamaGrammar>;
  /** One job on the model's main sequence (the fallback when fewer than two sequences fit). */
  single(job: number, params: GenerateParams, signal: AbortSignal): Promise<GenerateResult>;
  onText(job: number, text: string): void;
}

/**
 * On the CPU, at most this many jobs run at once (the rest as sequences free up): decoding is bound by the
 * arithmetic there, and at 12 or more sequences a token cost the same 10–11 ms (BENCHMARKS.md, "Where the
 * style check's time goes"), so more sequences would only take memory. On a GPU, as many as fit.
 */
export const CPU_PARALLEL_SEQUENCES = 16;

/** A shared prefix shorter than this is evaluated in each sequence: copying a state costs a file round trip. */
const MIN_COPIED_TOKENS = 32;

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export async function generateBatch(
  env: BatchEnvironment,
  jobs: readonly GenerateParams[],
  signal: AbortSignal,
): Promise<GenerateBatchResult> {
  const l = env.loaded;
  const startedAt = performance.now();
  const prompts = jobs.map((p) => l.promptTokens(p.system, p.user));
  const tokens = Math.max(...jobs.map((p, i) => prompts[i]!.length + p.maxTokens)) + 1;
  const width = l.model.gpuLayers > 0 ? jobs.length : Math.min(jobs.length, CPU_PARALLEL_SEQUENCES);
  const sequences = await l.pool.acquire(width, tokens);
  if (sequences.length < 2) {
    const results: GenerateResult[] = [];
    for (const [i, p] of jobs.entries()) results.push(await env.single(i, p, signal));
    return { results, parallel: 1 };
  }
  const contextSize = sequences[0]!.context.contextSize;
  for (const [i, prompt] of prompts.entries()) {
    if (prompt.length >= contextSize - 1) {
      throw new EngineError(
        'INTERNAL',
        `The prompt of batch job ${i + 1} is too long for its sequence: ${prompt.length} tokens, ${contextSize} ` +
          `per sequence.`,
      );
    }
  }
  const grammars = await Promise.all(jobs.map((p) => (p.jsonSchema ? env.grammar(p.jsonSchema) : undefined)));
  // The first jobs get the shared prefix copied in; each sequence then takes the next job as soon as its
  // own is done (keeping the prefix it holds), so a long answer does not hold back the jobs after it.
  const targets = prompts.map((p) => p.slice(0, -1));
  const { copied, loaded } = await sharePrefix(env, sequences, targets.slice(0, sequences.length), signal);
  const slice = l.model.gpuLayers > 0 ? 512 : 128;
  const results: GenerateResult[] = [];
  let next = 0;
  await Promise.all(
    sequences.map(async (sequence, j) => {
      for (let index = next++; index < jobs.length; index = next++) {
        const kept = await evaluateTo(sequence, targets[index]!, signal, slice);
        const grammar = grammars[index];
        const firstJob = index === j;
        results[index] = await generateOnSequence({
          nlc: env.nlc,
          sequence,
          chatWrapper: l.chatWrapper,
          params: jobs[index]!,
          prompt: prompts[index]!,
          contextSize,
          ...(grammar ? { grammar } : {}),
          signal,
          onText: (text) => env.onText(index, text),
          startedAt,
          reused: firstJob ? Math.max(kept, copied[j] ?? 0) : kept,
          restored: firstJob ? (loaded[j] ?? 0) : 0,
        });
      }
    }),
  );
  return { results, parallel: sequences.length };
}

/**
 * Makes every sequence hold the prompts' common prefix: the one that already holds the most of it
 * evaluates the rest, and its state is loaded into each that lacks a worthwhile part of it. Before
 * evaluating, that sequence loads the state an earlier wave kept when it covers more of the prefix (the
 * judge's rubric prompt of the last best-of, while the candidates' prompt sits in the sequences); the new
 * state is kept in its turn. Returns per sequence how many prompt tokens it got without evaluating them
 * (kept, loaded or copied), and of those how many came from a kept state.
 */
async function sharePrefix(
  env: BatchEnvironment,
  sequences: LlamaContextSequence[],
  targets: Token[][],
  signal: AbortSignal,
): Promise<{ copied: number[]; loaded: number[] }> {
  const first = targets[0]!;
  const shared = targets.reduce((n, t) => Math.min(n, commonPrefix(first, t)), first.length);
  const resident = sequences.map((s, j) => commonPrefix(s.contextTokens, targets[j]!));
  const lacking = sequences.map((_, j) => j).filter((j) => shared - resident[j]! >= MIN_COPIED_TOKENS);
  const loaded = sequences.map(() => 0);
  if (shared < MIN_COPIED_TOKENS || lacking.length === 0 || signal.aborted) return { copied: resident, loaded };
  const donor = resident.indexOf(Math.max(...resident));
  const donorSeq = sequences[donor]!;
  const pool = env.loaded.pool;
  const prefix = first.slice(0, shared);
  const got = [...resident];
  const saved = pool.keptPrefix(prefix);
  if (saved && saved.common - resident[donor]! >= MIN_COPIED_TOKENS) {
    try {
      await donorSeq.loadStateFromFile(saved.file, { acceptRisk: true });
      got[donor] = commonPrefix(donorSeq.contextTokens, prefix);
      loaded[donor] = got[donor]!;
    } catch {
      // Its state is unknown after a failed load: start it empty and evaluate the whole prefix.
      await donorSeq.clearHistory();
      got[donor] = 0;
    }
  }
  await evaluateTo(donorSeq, prefix, signal, env.loaded.model.gpuLayers > 0 ? 512 : 128);
  if (signal.aborted || donorSeq.nextTokenIndex !== shared) return { copied: resident, loaded: sequences.map(() => 0) };
  const file = pool.stateFile();
  await donorSeq.saveStateToFile(file);
  let keep = false;
  try {
    for (const j of lacking) {
      if (j === donor) continue;
      await sequences[j]!.loadStateFromFile(file, { acceptRisk: true });
      got[j] = commonPrefix(sequences[j]!.contextTokens, targets[j]!);
    }
    keep = true;
  } finally {
    if (keep) pool.keep(file, prefix);
    else await rm(file, { force: true });
  }
  return { copied: got, loaded };
}

/** Makes `seq` hold exactly `target`, keeping what matches and evaluating the rest in cancellable slices. */
async function evaluateTo(
  seq: LlamaContextSequence,
  target: readonly Token[],
  signal: AbortSignal,
  slice: number,
): Promise<number> {
  const keep = commonPrefix(seq.contextTokens, target);
  if (keep < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
  let at = keep;
  while (at < target.length && !signal.aborted) {
    const end = Math.min(at + slice, target.length);
    await seq.evaluateWithoutGeneratingNewTokens(target.slice(at, end));
    at = end;
  }
  return keep;
}
