// A list of generations in, one result per job out, through whatever a generator offers: the local engine
// runs them as parallel sequences of one context; any other generator runs them one after another.
import type { BatchOptions, GenerateRequest, GenerateResult, TextGenerator } from './types';

/** Results in the order of `reqs`; `opts.signal` stops every job (each keeps its partial text). */
export async function generateAll(
  gen: TextGenerator,
  reqs: readonly GenerateRequest[],
  opts: BatchOptions = {},
): Promise<GenerateResult[]> {
  if (gen.generateBatch && reqs.length > 1) return gen.generateBatch(reqs, opts);
  const out: GenerateResult[] = [];
  for (const req of reqs) {
    out.push(await gen.generate(opts.signal ? { ...req, signal: anySignal(req.signal, opts.signal) } : req));
  }
  opts.onParallel?.(1);
  return out;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}

/** `count` participants whose generate calls are gathered and run as one batch (see lockstep). */
export interface Lockstep {
  /** The generator participant `i` calls: its request waits until every active participant has one. */
  generators: TextGenerator[];
  /** Participant `i` will make no more requests: the others no longer wait for it. Call it in a finally. */
  done(i: number): void;
}

/**
 * Runs code written for one generate at a time (a rewrite, in parts or whole; a judgement with its retry)
 * as `count` participants in lockstep: each round, once every participant still running has asked for its
 * next generation, the requests go out together as one batch. A request's own onToken streams its job.
 * Requests of one round that do not share one signal run one after another, each with its own.
 */
export function lockstep(gen: TextGenerator, count: number, opts: Pick<BatchOptions, 'onParallel'> = {}): Lockstep {
  if (!gen.generateBatch || count < 2) return { generators: Array.from({ length: count }, () => gen), done: () => {} };
  type Waiting = { req: GenerateRequest; resolve(r: GenerateResult): void; reject(err: unknown): void };
  const waiting = new Map<number, Waiting>();
  const active = new Set(Array.from({ length: count }, (_, i) => i));
  const flush = () => {
    if (waiting.size === 0 || waiting.size < active.size) return;
    const round = [...waiting.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w);
    waiting.clear();
    const reqs = round.map((w) => w.req);
    const signal = reqs[0]!.signal;
    const shared = reqs.every((r) => r.signal === signal);
    const run = shared
      ? generateAll(gen, reqs, { ...(signal ? { signal } : {}), ...opts })
      : generateAll({ generate: (r) => gen.generate(r) }, reqs, opts);
    run.then(
      (results) => round.forEach((w, i) => w.resolve(results[i]!)),
      (err: unknown) => round.forEach((w) => w.reject(err)),
    );
  };
  return {
    generators: Array.from({ length: count }, (_, i) => ({
      generate: (req: GenerateRequest) =>
        new Promise<GenerateResult>((resolve, reject) => {
          waiting.set(i, { req, resolve, reject });
          flush();
        }),
    })),
    done: (i) => {
      active.delete(i);
      flush();
    },
  };
}
