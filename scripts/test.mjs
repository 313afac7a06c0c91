// `npm test`: build, then every test stage in order; each stage prints "N passed, N failed" as its last
// summary line and this script closes with the totals in the same form, so CI can count tests.
//   node scripts/test.mjs            all stages
//   node scripts/test.mjs unit       only the named stages (unit, process, integration, untrusted, locale, e2e, start)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stages = [
  { name: 'unit', script: 'scripts/run-unit.mjs' },
  // Real node-llama-cpp on generated models, the CLI and Python as child processes (test/process).
  { name: 'process', script: 'scripts/run-unit.mjs', args: ['--tier', 'process'] },
  { name: 'integration', script: 'test/host/run-integration.mjs', setup: true },
  // The same host with workspace trust on: an untrusted workspace in Restricted Mode (test/untrusted).
  { name: 'untrusted', script: 'test/host/run-untrusted.mjs', setup: true },
  // The same host in a pseudo locale: every string the extension shows comes from its bundles (test/locale).
  { name: 'locale', script: 'test/host/run-locale.mjs', setup: true },
  { name: 'e2e', script: 'test/host/run-e2e.mjs', setup: true },
  // Plain `npm start` from this checkout: the first screen, a demo-model rewrite, Ctrl-C leaving nothing.
  { name: 'start', script: 'test/host/run-start-e2e.mjs', setup: true },
];
const wanted = process.argv.slice(2);
const selected = stages.filter(
  (s) => (wanted.length ? wanted.includes(s.name) : true) && existsSync(path.join(root, s.script)),
);

ensureDependencies(root, (m) => console.log(`test: ${m}`));
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (selected.some((s) => s.setup)) {
  execFileSync('bash', [path.join(root, 'scripts', 'setup-vscode-host.sh')], { cwd: root, stdio: 'inherit' });
}

function runStage(stage) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, stage.script), ...(stage.args ?? [])], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = null;
    let buf = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) {
        const m = /^(?:\w+: )?(\d+) passed, (\d+) failed/.exec(l.trim());
        if (m) last = { passed: +m[1], failed: +m[2] };
      }
    });
    child.on('close', (code) => resolve({ code, counts: last }));
  });
}

let passed = 0,
  failed = 0,
  bad = [];
for (const stage of selected) {
  console.log(`\n=== ${stage.name} ===`);
  const { code, counts } = await runStage(stage);
  if (!counts) {
    bad.push(`${stage.name} (no summary line, exit ${code})`);
    failed += 1;
    continue;
  }
  passed += counts.passed;
  failed += counts.failed;
  if (code !== 0 && counts.failed === 0) {
    bad.push(`${stage.name} (exit ${code})`);
    failed += 1;
  }
}
console.log('');
if (bad.length) console.log(`stages that failed without a count: ${bad.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
