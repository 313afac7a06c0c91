// `npm run bench`: how fast is the engine on the path writers take, measured side by side with
// node-llama-cpp called directly.
//
// On random-weight models of realistic shapes with a real tokenizer and chat template (compute does not
// depend on weight values; `-bpe` presets: cl100k BPE, Llama 3 chat format), it measures, alternating
// ours (EngineClient -> engine child process) and raw (node-llama-cpp in this process, same model,
// threads, context size, prompts, temperature 0 and maxTokens):
//   - model load; time to first token cold / warm (same style, new text) / after prewarm, where our side
//     prewarms exactly as the extension does (core/rewrite's rewritePromptPrefix through prewarm) and the
//     raw side evaluates the same tokens;
//   - decode tokens per second; prefill tokens per second of that prefix;
//   - the first rewrite after a restart (a fresh engine process) with the persistent prompt cache and
//     without it, and the engine process's memory after unload, where the engine has them (else n/a);
//   - the engine process's peak memory (VmHWM) and the cost of importing dist/extension.js;
//   - best-of-N (N = 1, 2, 4: N rewrites with different seeds, each judged with the default critique cap,
//     the rewriting model as judge, as the editor does) as the ratio of its wall time to a single rewrite
//     of the same text, the two run back to back in each rep (ours only: raw has no best-of); with the
//     candidates as parallel sequences and (N = 2, 4) one after another, side by side; judging time;
//     engine memory after best-of-1 and best-of-4; where the time goes (prefill, decode, judge);
//   - eval throughput: core/eval's runEval on the loaded engine (a rewrite plus its judgement per item) at
//     --concurrency 1 and 4, items per minute;
//   - the style check (core/check checkDocument) of a 20-paragraph document against a single rewrite at
//     --max-tokens, judgements as parallel sequences and one after another, and a re-check of the unchanged
//     document (its model calls: none).
// The parallel rows (best-of, eval, check) run at each of --threads' counts (e.g. --threads 1,2), one engine
// process per count; the ours/raw rows at the first.
// It prints a table of medians and ratios and writes every sample to .cache/bench/results.json.
//
//   node scripts/bench.mjs [--threads N[,N…]] [--reps N] [--models small-bpe,100m-bpe] [--max-tokens N]
//                          [--out FILE] [--build] [--budget-s S] [--eval-items N] [--parallel-only | --best-of-only |
//                          --check-only]
//   node scripts/bench.mjs --report FILE      re-print the table of a saved results.json
// --parallel-only: just the parallel rows; --best-of-only: just the best-of rows; --check-only: just the style
// check's (quick checks, e.g. with --models tiny-bpe --reps 1). --eval-items (default 8): passages per eval run.
// --budget-s (default 420): on a busy machine, fewer reps (never under 3) of the ours/raw rows so they end in time.
//
// The parts live in scripts/bench/: common.mjs (options, log, stats, texts), engine.mjs (our engine, the
// style, models, memory, machine), raw-vs-ours.mjs, parallel.mjs and report.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDependencies } from './ensure-deps.mjs';
import { CONTEXT_SIZE, T, TTFT_MAX_TOKENS, benchStart, log, opts, root } from './bench/common.mjs';
import { benchStyle, ensureModel, extensionImportMs, machine } from './bench/engine.mjs';
import { benchParallel } from './bench/parallel.mjs';
import { benchModel, rawSetup } from './bench/raw-vs-ours.mjs';
import { printReport } from './bench/report.mjs';

// ------------------------------------------------------------------------------------------------ build
const needed = [
  'dist/engine-process.js',
  'out/src/core/engine/index.js',
  'out/src/core/testmodel/index.js',
  'out/src/core/rewrite/index.js',
];
if (existsSync(path.join(root, 'src', 'extension.ts'))) needed.push('dist/extension.js');
if (!opts.report) ensureDependencies(root, log);
if (!opts.report && (opts.build || needed.some((f) => !existsSync(path.join(root, f))))) {
  log('building (dist/ or out/ missing)…');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: root,
  });
}

async function main() {
  const mach = machine();
  log(
    `machine: ${mach.cores} cores, ${mach.cpuModel}, ${mach.ramGiB} GiB; load ${mach.loadAvgAtStart.join(' ')}; ` +
      `node ${mach.node}, node-llama-cpp ${mach.nodeLlamaCpp}`,
  );
  log(
    `threads ${opts.threads} (ours and raw; parallel rows at ${opts.threadsList.join(' and ')}), temperature 0, ` +
      `maxTokens ${opts.maxTokens} (${TTFT_MAX_TOKENS} for TTFT-only rewrites), ` +
      `context ${CONTEXT_SIZE}, ${opts.reps} reps`,
  );
  const models = [];
  for (const p of opts.models) models.push(await ensureModel(p));
  const prompt = await benchStyle();
  log(
    `style: ${prompt.source}; system prompt ${prompt.system.length} chars, ` +
      `instruction prefix ${prompt.userPrefix.length} chars`,
  );
  const setup = opts.bestOfOnly || opts.parallelOnly || opts.checkOnly ? {} : { getLlamaMs: await rawSetup() };

  const ext = { ms: [] };
  if (existsSync(path.join(root, 'dist', 'extension.js'))) {
    for (let i = 0; i < Math.min(opts.reps, 5); i++) ext.ms.push(extensionImportMs().ms);
    log(`extension import: ${ext.ms.map((x) => x.toFixed(0)).join(', ')} ms`);
  } else log('dist/extension.js is missing: no extension import measurement');

  const results = [];
  // The time left is shared by compute cost, which the layers' weights set (the 100m shapes cost about
  // three times the small ones).
  const layerParams = (sh) => (sh.layers ?? 2) * (4 * (sh.embd ?? 64) ** 2 + 3 * (sh.embd ?? 64) * (sh.ff ?? 128));
  const weight = (m) => Math.max(1, (layerParams(m.shape) / 27e6) ** 0.8);
  for (const [k, m] of models.entries()) {
    const left = benchStart + opts.budgetS * 1000 - T();
    const share = weight(m) / models.slice(k).reduce((a, x) => a + weight(x), 0);
    const only = opts.bestOfOnly || opts.parallelOnly || opts.checkOnly;
    const r = only
      ? { model: { preset: m.preset, file: path.relative(root, m.file), bytes: m.bytes, shape: m.shape } }
      : await benchModel(m, prompt, T() + left * share);
    // The parallel rows last, at each thread count (at least one rep; at most 3 after the main rows).
    const reps = only ? opts.reps : Math.max(1, Math.min(3, r.reps));
    r.parallel = [];
    for (const threads of opts.threadsList)
      r.parallel.push(
        await benchParallel(m, prompt, reps, threads, { bestOfOnly: !!opts.bestOfOnly, checkOnly: !!opts.checkOnly }),
      );
    results.push(r);
  }

  const out = {
    machine: mach,
    options: { ...opts, contextSize: CONTEXT_SIZE, ttftMaxTokens: TTFT_MAX_TOKENS },
    prompt: { source: prompt.source, chars: prompt.system.length, userPrefixChars: prompt.userPrefix.length },
    setup,
    extensionImportMs: ext.ms,
    results,
    totalSeconds: (T() - benchStart) / 1000,
    loadAvgAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
  };
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(out, null, 1));
  printReport(out);
  console.log(`\nall samples: ${path.relative(root, opts.out)}`);
}

const job = opts.report
  ? Promise.resolve().then(() => printReport(JSON.parse(readFileSync(opts.report, 'utf8'))))
  : main();
job.then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
