// The second context of a loaded model: several sequences that node-llama-cpp decodes in one batch, for
// the jobs of a generateBatch (best-of-N candidates, their judgements). Kept apart from the model's main
// context so a single rewrite's resident prompt and the prompt cache (whose saved states only load into a
// context with the same sequence count) are untouched. In node-llama-cpp 3.21.1 a context's contextSize is
// per sequence, so N sequences cost N times the KV memory of one: the pool sizes each sequence for the jobs
// at hand and runs fewer at once when the total does not fit the memory node-llama-cpp reports free.
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with {
  'resolution-mode': 'import',
};
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../errors';
import type { LoraAdapter } from './types';

type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface PoolEnvironment {
  llama: Llama;
  model: LlamaModel;
  threads: number;
  adapters: readonly LoraAdapter[];
  /** At most this many bytes for the pool's context (0: no cap beyond what is free). */
  memoryCapBytes: number;
  log(level: LogLevel, message: string): void;
}

/**
 * Prefix states kept for later waves: best-of alternates two prompts in the pool's sequences (the rewrite's,
 * then the judge's), so each wave finds the other one resident and would evaluate its prefix again.
 */
const KEPT_STATES = 2;

/** Sequence sizes go up in these steps, so jobs of slightly different lengths reuse one context. */
const SIZE_STEP = 256;
/** Head room over node-llama-cpp's estimate: it leaves out allocator slack and the compute graph's peaks. */
const MEMORY_MARGIN = 1.2;
const MiB = 1024 * 1024;

/** The context size of each sequence for jobs of up to `tokens` tokens: rounded up, within the trained size. */
export function sequenceSize(tokens: number, trainContextSize: number): number {
  return Math.min(Math.ceil(tokens / SIZE_STEP) * SIZE_STEP, Math.max(tokens, trainContextSize));
}

export class SequencePool {
  private context: LlamaContext | undefined;
  private sequences: LlamaContextSequence[] = [];
  private perSequence = 0;
  /** The pool's own estimated footprint: freed (and so available again) when it is replaced. */
  private footprint = 0;
  private stateDir: string | undefined;
  private stateFiles = 0;
  /** States of this context's sequences saved by earlier waves, oldest first: each file holds exactly its tokens. */
  private kept: { file: string; tokens: readonly Token[] }[] = [];
  private disposed = false;

  constructor(private readonly env: PoolEnvironment) {}

  /**
   * Sequences for `n` jobs of up to `tokens` tokens each (prompt plus output): n of them, or as many as fit
   * in memory, or none when not even two fit (the caller then runs the jobs one after another on the main
   * sequence). Never throws for want of memory.
   */
  async acquire(n: number, tokens: number): Promise<LlamaContextSequence[]> {
    if (this.disposed || n < 2) return [];
    const perSequence = sequenceSize(tokens, this.env.model.trainContextSize);
    if (this.context && this.sequences.length >= n && this.perSequence >= tokens) return this.sequences.slice(0, n);
    const fit = await this.fitting(n, perSequence);
    if (this.context && this.sequences.length >= fit.count && this.perSequence >= tokens)
      return this.sequences.slice(0, fit.count);
    await this.release();
    for (let count = fit.count; count >= 2; count--) {
      try {
        this.context = await this.env.model.createContext({
          contextSize: perSequence,
          sequences: count,
          threads: this.env.threads,
          ...(this.env.adapters.length
            ? { lora: { adapters: this.env.adapters.map((a) => ({ filePath: a.path, scale: a.scale })) } }
            : {}),
        });
      } catch (err) {
        this.env.log(
          'warn',
          `parallel: a context of ${count} sequences of ${perSequence} tokens could not be made ` +
            `(${errorMessage(err)}); trying fewer`,
        );
        continue;
      }
      this.sequences = Array.from({ length: count }, () => this.context!.getSequence());
      this.perSequence = perSequence;
      this.footprint = fit.bytes[count] ?? 0;
      if (count < n) {
        this.env.log(
          'info',
          `parallel: ${n} jobs of up to ${tokens} tokens; ${fit.why}: running ${count} at a time (the rest after them)`,
        );
      }
      return this.sequences.slice(0, n);
    }
    this.env.log('info', `parallel: ${n} jobs of up to ${tokens} tokens; ${fit.why}: running them one after another`);
    return [];
  }

  /** How many sequences of `perSequence` tokens fit (2..n, or 1 when not even two do), and why not more. */
  private async fitting(
    n: number,
    perSequence: number,
  ): Promise<{ count: number; why: string; bytes: Record<number, number> }> {
    const { llama, model, memoryCapBytes } = this.env;
    const onGpu = model.gpuLayers > 0;
    // What the pool holds now is freed before a bigger one is made.
    const ownRam = onGpu ? 0 : this.footprint;
    const ownVram = onGpu ? this.footprint : 0;
    const ram = (await llama.getRamState()).free + ownRam;
    const vram = onGpu ? (await llama.getVramState()).free + ownVram : Infinity;
    const cap = memoryCapBytes > 0 ? memoryCapBytes : Infinity;
    const bytes: Record<number, number> = {};
    let why = '';
    for (let count = n; count >= 2; count--) {
      const need = await model.fileInsights.estimateContextResourceRequirementsV2({
        contextSize: perSequence,
        sequences: count,
        modelGpuLayers: model.gpuLayers,
      });
      const total = need.cpuRam + need.gpuVram;
      bytes[count] = onGpu ? need.gpuVram : need.cpuRam;
      const fits =
        need.cpuRam * MEMORY_MARGIN <= ram && need.gpuVram * MEMORY_MARGIN <= vram && total * MEMORY_MARGIN <= cap;
      if (fits) return { count, why: why || 'they fit', bytes };
      if (!why) {
        const mb = (x: number) => `${Math.round(x / MiB)} MiB`;
        why =
          `${count} sequences of ${perSequence} tokens need about ${mb(total * MEMORY_MARGIN)}` +
          ` (RAM ${mb(need.cpuRam)}, VRAM ${mb(need.gpuVram)}), with ${mb(ram)} RAM` +
          `${onGpu ? ` and ${mb(vram)} VRAM` : ''} free${cap < Infinity ? ` and a cap of ${mb(cap)}` : ''}`;
      }
    }
    return { count: 1, why, bytes };
  }

  /** A new scratch file for copying one sequence's state into others (there is no KV copy between sequences). */
  stateFile(): string {
    this.stateDir ??= mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-seq-'));
    return path.join(this.stateDir, `prefix-${++this.stateFiles}.state`);
  }

  /** The kept state whose tokens share the longest start with `target`, and the length of that start. */
  keptPrefix(target: readonly Token[]): { file: string; common: number } | undefined {
    let best: { file: string; common: number } | undefined;
    for (const k of this.kept) {
      const common = commonPrefix(k.tokens, target);
      if (common > (best?.common ?? 0)) best = { file: k.file, common };
    }
    return best;
  }

  /** Keeps `file`, a state of exactly `tokens` saved from one of this context's sequences, for later waves. */
  keep(file: string, tokens: readonly Token[]): void {
    this.kept.push({ file, tokens: [...tokens] });
    while (this.kept.length > KEPT_STATES) rmSync(this.kept.shift()!.file, { force: true });
  }

  private dropKept(): void {
    for (const k of this.kept) rmSync(k.file, { force: true });
    this.kept = [];
  }

  private async release(): Promise<void> {
    // Kept states belong to the context being replaced.
    this.dropKept();
    const ctx = this.context;
    this.context = undefined;
    this.sequences = [];
    this.perSequence = 0;
    this.footprint = 0;
    await ctx?.dispose().catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.release();
    if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
