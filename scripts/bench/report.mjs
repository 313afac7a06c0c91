// The printed report: one table of every model's rows (ours/raw, then the parallel rows per thread count),
// the goals, the machine and its load. `--report FILE` prints it again from a saved results.json.
import { fmt, median } from './common.mjs';
import { parallelGoals, parallelLines } from './parallel.mjs';
import { goals, mainLines } from './raw-vs-ours.mjs';

/** The parallel results of a model; a results.json from before thread lists kept one best-of at the run's threads. */
const parallelOf = (r, threads) => r.parallel ?? (r.bestOf ? [{ threads, bestOf: r.bestOf }] : []);

export function table(results, ext, setup, threads) {
  const lines = [];
  lines.push(`| model | metric | ours (median) | raw node-llama-cpp (median) | ours/raw (median of paired ratios) |`);
  lines.push(`|---|---|---:|---:|---:|`);
  for (const r of results) {
    const mb = `${(r.model.bytes / 1e6).toFixed(0)} MB`;
    if (r.rows) {
      const name =
        `${r.model.preset} (${mb}, ${r.systemTokens}-token system prompt` +
        `${r.prefixTokens ? `, ${r.prefixTokens}-token prefix` : ''}${r.reps ? `, ${r.reps} reps` : ''})`;
      lines.push(...mainLines(r, name));
    }
    for (const p of parallelOf(r, threads)) lines.push(...parallelLines(`${r.model.preset} (${mb})`, p));
  }
  lines.push(`| — | extension import (dist/extension.js, vscode stubbed) | ${fmt(median(ext.ms), 1)} ms | | |`);
  if (setup.getLlamaMs !== undefined)
    lines.push(`| — | getLlama in the bench process (once) | | ${fmt(setup.getLlamaMs, 0)} ms | |`);
  return lines.join('\n');
}

export function printReport(out) {
  const { machine: mach, options: o, prompt, setup, results } = out;
  console.log(`\nCPT Writer bench — ${mach.date}`);
  console.log(
    `${mach.cores} cores (${mach.cpuModel}), ${mach.ramGiB} GiB RAM, ` +
      `Node ${mach.node}, node-llama-cpp ${mach.nodeLlamaCpp}; ` +
      `load average at start ${mach.loadAvgAtStart.join(' ')}` +
      `${out.loadAvgAtEnd ? `, at end ${out.loadAvgAtEnd.join(' ')}` : ''}`,
  );
  console.log(
    `threads ${o.threads} for ours and raw, temperature 0, ` +
      `maxTokens ${o.maxTokens} (decode; ${o.ttftMaxTokens ?? o.maxTokens} for cold/prewarmed TTFT rewrites), ` +
      `context ${o.contextSize}; medians of up to ${o.reps} alternated reps ` +
      `(load: ${Math.min(o.reps, 3)}; decode: twice the reps); system prompt: ${prompt.source}\n`,
  );
  if (results.some((r) => r.parallel?.length))
    console.log(
      `parallel rows: rubric mode, temperature 0.7, maxTokens ${o.maxTokens}, ` +
        `the rewriting model judging (critique cap 300); threads ${(o.threadsList ?? [o.threads]).join(' and ')}, ` +
        `one engine process each; a single rewrite is the reference of each ratio\n`,
    );
  console.log(table(results, { ms: out.extensionImportMs }, setup, o.threads));
  const main = goals(results);
  const parallel = parallelGoals(results);
  console.log(`\ngoals:\n${[main, parallel].filter(Boolean).join('\n')}`);
  console.log(`\ntotal ${out.totalSeconds.toFixed(0)} s`);
}
