// Runs the plain-Node unit tests (compiled to out/test/unit) with mocha and ends with "N passed, N failed".
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, 'out', 'test', 'unit');
const filter = process.argv[2]; // optional substring of a test file name

function walk(d) {
  return readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const mocha = new Mocha({
  ui: 'bdd',
  timeout: 60_000,
  color: false,
  reporter: 'spec',
  forbidOnly: !!process.env.CI,
  forbidPending: !!process.env.CI,
});
for (const f of walk(dir).sort()) if (!filter || f.includes(filter)) mocha.addFile(f);
const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  process.exitCode = failures ? 1 : 0;
});
