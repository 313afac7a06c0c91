// Writing best-of-N's candidates: with a generator that batches (the local engine) all N at once, as
// parallel sequences in lockstep; with any other one after another, stopping at the first cancelled.
import { lockstep } from '../engine/batch';
import { nthSeed } from '../seeds';
import type { TextGenerator } from '../engine/types';
import { runRewrite } from './run';
import type { RewriteJob, RewriteOutcome } from './types';

export interface WrittenCandidate {
  index: number;
  seed: number;
  outcome: RewriteOutcome;
}

export type CandidateProgress =
  | { phase: 'writing'; index: number; count: number; seed: number }
  | { phase: 'written'; index: number; count: number; outcome: RewriteOutcome };

export interface CandidateWriting {
  base: Omit<RewriteJob, 'fresh' | 'onToken'>;
  n: number;
  firstSeed: number;
  /**
   * Deliver every candidate's pieces live, interleaved, as they grow. Otherwise (a consumer that shows one
   * stream) they come in turn: candidate 0 live, each later one's pieces held until the one before it is
   * written, and the writing/written events in that order, as when they were written one after another.
   */
  streamAll: boolean;
  onToken?: (text: string, candidate: number) => void;
  onCandidate?: (event: CandidateProgress) => void;
}

/** The candidates in writing order; where one was cancelled one after another, those up to it. */
export async function writeCandidates(engine: TextGenerator, w: CandidateWriting): Promise<WrittenCandidate[]> {
  const { n, onToken, onCandidate } = w;
  const seedOf = (index: number) => nthSeed(w.firstSeed, index);
  const write = (gen: TextGenerator, index: number, onPiece: (piece: string) => void) =>
    runRewrite(gen, {
      ...w.base,
      fresh: true,
      sampling: { ...w.base.sampling, seed: seedOf(index) },
      onToken: onPiece,
    });

  if (!engine.generateBatch || n < 2) {
    const out: WrittenCandidate[] = [];
    for (let index = 0; index < n; index++) {
      onCandidate?.({ phase: 'writing', index, count: n, seed: seedOf(index) });
      const outcome = await write(engine, index, (piece) => onToken?.(piece, index));
      out.push({ index, seed: seedOf(index), outcome });
      onCandidate?.({ phase: 'written', index, count: n, outcome });
      if (outcome.status === 'cancelled') break;
    }
    return out;
  }

  const held: string[][] = Array.from({ length: n }, () => []);
  const finished = new Map<number, RewriteOutcome>();
  let current = 0;
  const advance = () => {
    while (finished.has(current)) {
      onCandidate?.({ phase: 'written', index: current, count: n, outcome: finished.get(current)! });
      current++;
      if (current >= n) return;
      onCandidate?.({ phase: 'writing', index: current, count: n, seed: seedOf(current) });
      for (const piece of held[current]!.splice(0)) onToken?.(piece, current);
    }
  };
  if (w.streamAll) for (let i = 0; i < n; i++) onCandidate?.({ phase: 'writing', index: i, count: n, seed: seedOf(i) });
  else onCandidate?.({ phase: 'writing', index: 0, count: n, seed: seedOf(0) });
  const step = lockstep(engine, n);
  const settled = await Promise.allSettled(
    Array.from({ length: n }, async (_, index) => {
      try {
        const outcome = await write(step.generators[index]!, index, (piece) => {
          if (w.streamAll || index === current) onToken?.(piece, index);
          else held[index]!.push(piece);
        });
        if (w.streamAll) onCandidate?.({ phase: 'written', index, count: n, outcome });
        else {
          finished.set(index, outcome);
          advance();
        }
        return { index, seed: seedOf(index), outcome };
      } finally {
        step.done(index);
      }
    }),
  );
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<WrittenCandidate>).value);
}
