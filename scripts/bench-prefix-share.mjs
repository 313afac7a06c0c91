// How to give N parallel sequences of one context the same prompt prefix, measured: node-llama-cpp 3.21.1
// has no KV copy between sequences, so either (a) one sequence evaluates the prefix and its saved state is
// loaded into the others, or (b) every sequence evaluates it, node-llama-cpp batching the N evaluations.
// The engine's generateBatch does (a) (src/core/engine/batch-generation.ts); this is the measurement.
//   node scripts/bench-prefix-share.mjs MODEL.gguf [--threads N] [--sequences N] [--tokens N] [--reps N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const file = args[0];
if (!file || file.startsWith('--')) throw new Error('usage: bench-prefix-share.mjs MODEL.gguf [--threads N] ...');
const threads = opt('--threads', 1),
  n = opt('--sequences', 4),
  want = opt('--tokens', 1000),
  reps = opt('--reps', 3);
const { getLlama } = await import('node-llama-cpp');
const llama = await getLlama({ build: 'never', gpu: false, maxThreads: threads, logLevel: 'error' });
const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
const ctx = await model.createContext({ contextSize: want + 256, sequences: n, threads });
const seqs = Array.from({ length: n }, () => ctx.getSequence());
const tokens = model
  .tokenize('You rewrite text in the style the rubric describes, level 3. '.repeat(200))
  .slice(0, want);
const dir = mkdtempSync(path.join(os.tmpdir(), 'prefix-share-'));
const state = path.join(dir, 's.state');
const clear = () => Promise.all(seqs.map((s) => s.clearHistory()));
const T = () => performance.now();
const rows = { copy: [], batch: [] };
for (let r = 0; r < reps; r++) {
  await clear();
  let t0 = T();
  await seqs[0].evaluateWithoutGeneratingNewTokens(tokens);
  await seqs[0].saveStateToFile(state);
  for (const s of seqs.slice(1)) await s.loadStateFromFile(state, { acceptRisk: true });
  rows.copy.push(T() - t0);
  if (!seqs.every((s) => s.contextTokens.length === tokens.length)) throw new Error('a copied state is incomplete');
  await clear();
  t0 = T();
  await Promise.all(seqs.map((s) => s.evaluateWithoutGeneratingNewTokens(tokens)));
  rows.batch.push(T() - t0);
}
rmSync(dir, { recursive: true, force: true });
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  JSON.stringify({
    model: path.basename(file),
    threads,
    sequences: n,
    prefixTokens: tokens.length,
    loadAvg: os.loadavg().map((x) => +x.toFixed(2)),
    evaluateOnceAndCopyMs: rows.copy.map((x) => +x.toFixed(0)),
    evaluateInEveryMs: rows.batch.map((x) => +x.toFixed(0)),
    ratio: +(med(rows.batch) / med(rows.copy)).toFixed(2),
  }),
);
await ctx.dispose();
await model.dispose();
