// Bulk work (eval's samples, generate's outputs) N items at a time. With a generator that batches (the
// local engine) each of the N workers gets its own participant of one lockstep (./batch), so the
// generations of the items in flight go out together as one generateBatch: parallel sequences of one
// model, whose decoding is batched. With any other generator (an endpoint) the workers simply call it
// concurrently, as many requests in flight as there are workers.
import { lockstep } from './batch';
import type { BatchOptions, TextGenerator } from './types';

export interface WorkPoolOptions {
  /** Items in flight at once (at least 1). */
  limit: number;
  /** Checked before each item: true stops taking new ones (the items in flight finish). */
  stop?: () => boolean;
  /** The generator the items share; batched across the workers when it offers generateBatch. */
  generator: TextGenerator;
  /** How many jobs each batch ran at once (the engine may run fewer than asked when memory is short). */
  onParallel?: BatchOptions['onParallel'];
}

/**
 * Runs every item through `run(item, generator)`, where `generator` is the worker's own view of the shared
 * generator (use it, not the shared one, for the item's generations, or the batch waits for nothing).
 * The first error stops the pool from taking new items; once the items in flight end it is thrown.
 */
export async function workPool<T>(
  items: readonly T[],
  opts: WorkPoolOptions,
  run: (item: T, generator: TextGenerator) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(opts.limit) || opts.limit < 1)
    throw new Error(`concurrency must be a whole number of at least 1, got ${opts.limit}`);
  const workers = Math.max(1, Math.min(opts.limit, items.length));
  const step =
    workers > 1 && opts.generator.generateBatch
      ? lockstep(opts.generator, workers, opts.onParallel ? { onParallel: opts.onParallel } : {})
      : undefined;
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (i: number): Promise<void> => {
    const generator = step?.generators[i] ?? opts.generator;
    try {
      while (!failure && !opts.stop?.() && next < items.length) {
        const item = items[next++]!;
        try {
          await run(item, generator);
        } catch (err) {
          failure ??= { err };
        }
      }
    } finally {
      // This worker makes no more requests: the others' rounds no longer wait for it.
      step?.done(i);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  if (failure) throw failure.err;
}
