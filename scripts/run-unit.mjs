// Runs the plain-Node tests of one tier with mocha and ends with "N passed, N failed":
//   node scripts/run-unit.mjs [--tier unit|process] [FILTER]
// unit (out/test/unit, the default): in-process tests, no child process and no model: the quick loop.
// process (out/test/process): tests that run real node-llama-cpp on generated models, the CLI or Python as
// child processes; slower by nature (each engine start tests llama.cpp's binary in a process of its own).
// FILTER is an optional substring of a test file's name.
// CPT_UNIT_JOBS=N (N > 1) runs the test files in N mocha worker processes: much of a test's time is spent
// waiting on an engine process or a CLI child, which another file can use. Off by default until it is
// measured on an idle machine; unset, the files run one after another in this process.
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const tierAt = args.indexOf('--tier');
const tier = tierAt >= 0 ? args.splice(tierAt, 2)[1] : 'unit';
if (!['unit', 'process'].includes(tier)) throw new Error(`unknown tier '${tier}' (unit or process)`);
const dir = path.join(root, 'out', 'test', tier);
const filter = args[0];

function walk(d) {
  return readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const files = walk(dir)
  .sort()
  .filter((f) => !filter || f.includes(filter));
const jobs = Math.max(1, Number(process.env.CPT_UNIT_JOBS || 1) || 1);
const mocha = new Mocha({
  ui: 'bdd',
  ...(jobs > 1 && files.length > 1 ? { parallel: true, jobs } : {}),
  timeout: 60_000,
  color: false,
  reporter: 'spec',
  forbidOnly: !!process.env.CI,
  forbidPending: !!process.env.CI,
});
for (const f of files) mocha.addFile(f);
const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  process.exitCode = failures ? 1 : 0;
});
