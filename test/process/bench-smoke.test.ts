// `npm run bench` stays runnable: one short run (one rep, the tiny model, a few tokens) of the real script
// against the built dist/ and out/, failing on any error, any NaN (a NaN is written to results.json as
// null) and any row of the table that is missing or reads n/a. It checks that every figure is measured,
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
  'best-of-4 judging, one after another',
  'engine process memory after best-of-1 → after best-of-4',
  'extension import',
];

describe('bench smoke (scripts/bench.mjs --reps 1 on the tiny model)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-bench-smoke-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs to the end, and every row of the table and every sample is a measured number', async () => {
    const out = path.join(dir, 'results.json');
    const run = await runNode(BENCH, ['--reps', '1', '--models', 'tiny', '--max-tokens', '4', '--out', out], {
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
    const results = JSON.parse(readFileSync(out, 'utf8')) as { results: unknown[] };
    assert.equal(results.results.length, 1);
    assert.deepEqual(unmeasured(results), []);
  });
});
