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
