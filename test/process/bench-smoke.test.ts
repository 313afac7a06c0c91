// `npm run bench` stays runnable: one short run (one rep, the tiny-bpe model, a few tokens, a short eval and
// check) of the real script against the built dist/ and out/, failing on any error, any NaN (a NaN is written
// to results.json as null) and any row of the table that is missing or reads n/a. tiny-bpe, not the byte-level
// tiny: its judge prompt (a ~1,000-token rubric in cl100k tokens) fits the context, as on a real model. It checks that
// every figure is measured,
// not what the figures are: timings on a shared machine say nothing about correctness.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runNode } from '../unit/helpers/run-node';

const ROOT = path.resolve(__dirname, '../../..');
const BENCH = path.join(ROOT, 'scripts', 'bench.mjs');

/** Paths in `v` whose value is null or a number that is not finite. */
function unmeasured(v: unknown, at = '$'): string[] {
  if (v === null) return [at];
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => unmeasured(x, `${at}[${i}]`));
  if (typeof v === 'object') return Object.entries(v as object).flatMap(([k, x]) => unmeasured(x, `${at}.${k}`));
  return [];
}

interface BenchResult {
  parallel: Array<{
    bestOf: { rewriteOutputTokens: Record<string, number[]>; judgeOutputTokens: Record<string, number[]> };
    check: {
      recheckModelCalls: number[];
      recheckJudgeLoads: number[];
      recheckCached: number[];
      parallelModelCalls: number[];
    };
  }>;
}

/** The rows every run prints for a model (labels as the table writes them, up to the first parenthesis). */
const ROWS = [
  'start + model load, fresh process',
  'model load + context, llama.cpp already up',
  'TTFT cold',
  'TTFT warm',
  'TTFT after prewarm',
  'decode',
  'prefill of the prewarmed prefix',
  'first rewrite after restart, prompt cache on',
  'first rewrite after restart, prompt cache off',
  'engine process memory, model loaded',
  'engine process peak memory',
  'best-of-1 / single rewrite, parallel sequences',
  'best-of-2 / single rewrite, parallel sequences',
  'best-of-2 / single rewrite, one after another',
  'best-of-4 / single rewrite, parallel sequences',
  'best-of-4 / single rewrite, one after another',
  'best-of-4 judging, parallel sequences',
  'best-of-1 judging, parallel sequences',
  'best-of-2 judging, parallel sequences',
  'single rewrite: prefill / decode / judge',
  'best-of-2 where the time goes, parallel sequences: prefill / decode / judge',
  'best-of-4 where the time goes, parallel sequences: prefill / decode / judge',
  'best-of-4 tokens written: candidates / judgements',
  'engine process memory after best-of-1 → after best-of-4',
  'eval items per minute, --concurrency 1 → 4',
  'style check / single rewrite, parallel sequences',
  'style check / single rewrite, one after another',
  'style check, first in a fresh engine',
  'style check, re-check of the unchanged document',
  'extension import',
];

describe('bench smoke (scripts/bench.mjs --reps 1 on the tiny-bpe model)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-bench-smoke-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs to the end, and every row of the table and every sample is a measured number', async () => {
    const out = path.join(dir, 'results.json');
    const args = ['--reps', '1', '--models', 'tiny-bpe', '--max-tokens', '4', '--eval-items', '4'];
    const run = await runNode(BENCH, [...args, '--check-paragraphs', '4', '--out', out], {
      cwd: ROOT,
      timeoutMs: 580_000,
    });
    assert.equal(run.code, 0, `bench failed:\n${run.stderr.slice(-3000)}`);
    const table = run.stdout.split('\n').filter((l) => l.startsWith('| '));
    for (const label of ROWS) {
      const rows = table.filter((l) => l.includes(`| ${label}`));
      assert.ok(rows.length > 0, `no "${label}" row in:\n${table.join('\n')}`);
      for (const row of rows) assert.doesNotMatch(row, /\bn\/a\b|NaN/, `unmeasured row: ${row}`);
    }
    const results = JSON.parse(readFileSync(out, 'utf8')) as { results: BenchResult[] };
    assert.equal(results.results.length, 1);
    assert.deepEqual(unmeasured(results), []);
    // The re-check of an unchanged document is answered from the cache: the judge is not even loaded.
    const check = results.results[0]!.parallel[0]!.check;
    assert.deepEqual(check.recheckModelCalls, [0]);
    assert.deepEqual(check.recheckJudgeLoads, [0]);
    assert.deepEqual(check.recheckCached, [4]);
    assert.ok(check.parallelModelCalls[0]! > 0, 'the first check made no model calls');
    // Best-of-4 wrote four candidates and judged them: both tallies counted something.
    const bestOf = results.results[0]!.parallel[0]!.bestOf;
    assert.ok(bestOf.rewriteOutputTokens.n4[0]! > 0, `candidate tokens: ${bestOf.rewriteOutputTokens.n4}`);
    assert.ok(bestOf.judgeOutputTokens.n4[0]! > 0, `judgement tokens: ${bestOf.judgeOutputTokens.n4}`);
    const goals = run.stdout.slice(run.stdout.indexOf('goals:'));
    assert.match(goals, /re-check of the unchanged document: no model work/);
    assert.match(goals, /eval items\/min --concurrency 4 over 1 \d/);
  });
});
