// E2E stage: what a person sees. Packages the extension as a VSIX (scripts/package.mjs), installs it into
// a fresh code-server profile with `code-server --install-extension`, points cptWriter.model at a generated
// random-weight model, opens a fresh copy of samples/ and runs every compiled test/e2e/*.e2e.js: each
// exported async function is one test, called with { page, server, workspace, runDir, screenshot, log } on
// a fresh workbench page. Screenshots go to .test-output/e2e/screenshots. Closing line "N passed, N failed".
//   node test/host/run-e2e.mjs [name-substring]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageExtension } from '../../scripts/package.mjs';
import { buildApiProbe } from './api-probe.mjs';
import {
  ROOT,
  elapsed,
  freshRunDir,
  installExtension,
  launchBrowser,
  makeTestModel,
  prepareWorkspace,
  startServer,
  workbenchUrl,
} from './lib.mjs';

const TEST_TIMEOUT_MS = Number(process.env.CPT_E2E_TEST_TIMEOUT_MS || 300_000);
const filter = process.argv[2];
const t0 = Date.now();
const runDir = freshRunDir('e2e');
const shotsDir = path.join(runDir, 'screenshots');
fs.mkdirSync(shotsDir, { recursive: true });
const log = (m) => console.log(`[e2e ${elapsed(t0)}] ${m}`);

async function discoverTests() {
  const dir = path.join(ROOT, 'out', 'test', 'e2e');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.e2e.js'))
        .sort()
    : [];
  const tests = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    const exports = mod.default && typeof mod.default === 'object' ? mod.default : mod;
    for (const [name, fn] of Object.entries(exports)) {
      if (typeof fn === 'function' && (!filter || name.includes(filter) || f.includes(filter)))
        tests.push({ file: f, name, fn });
    }
  }
  return tests;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let passed = 0,
  failed = 0;
let server, browser;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
};
process.once('SIGINT', () => {
  cleanup().finally(() => process.exit(130));
});
process.once('SIGTERM', () => {
  cleanup().finally(() => process.exit(143));
});

try {
  const tests = await discoverTests();
  if (tests.length === 0)
    throw new Error(`no e2e tests found in out/test/e2e${filter ? ` matching '${filter}'` : ''} (build first)`);

  const { file: vsix, size } = await packageExtension({ out: path.join(runDir, 'cpt-writer.vsix') });
  log(`packaged ${path.basename(vsix)} (${(size / 1024 / 1024).toFixed(1)} MB)`);
  const installed = installExtension(vsix, { runDir });
  log(`installed into a fresh extensions dir in ${installed.ms} ms`);
  // A second extension that inspects our API as any other installed extension could (api.e2e.ts).
  installExtension(buildApiProbe(path.join(runDir, 'api-probe')), { runDir });
  const model = await makeTestModel(path.join(runDir, 'models', 'test-model.gguf'));
  // A writer's folder as it comes: the samples only (the integration suite covers workspace rubrics).
  const workspace = prepareWorkspace(path.join(runDir, 'workspace'), { rubrics: false });
  server = await startServer({
    runDir,
    env: { CPT_WRITER_API_PROBE_OUT: path.join(runDir, 'api-probe.json') },
    settings: {
      'cptWriter.model': model,
      'cptWriter.temperature': 0,
      'cptWriter.maxTokens': 24,
      'cptWriter.threads': 1,
      'cptWriter.gpu': 'off',
      // The test model's byte-level vocabulary makes a built-in rubric-mode prompt ~3,600 tokens, and
      // the paragraphs around a selection (read-only context) add up to ~1,000 more.
      'cptWriter.contextSize': 8192,
      'cptWriter.feedback.path': path.join(runDir, 'feedback.jsonl'),
      'cptWriter.modelsDirectory': path.join(runDir, 'models'),
    },
  });
  log(`code-server on ${server.base}`);
  browser = await launchBrowser(runDir);

  let shot = 0;
  for (const test of tests) {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e).slice(0, 300)));
    const ctx = {
      page,
      server: { base: server.base, port: server.port },
      workspace,
      runDir,
      screenshot: async (name) => {
        const file = path.join(shotsDir, `${String(++shot).padStart(2, '0')}-${test.name}-${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      log: (m) => log(`${test.name}: ${m}`),
    };
    const ts = Date.now();
    try {
      await page.goto(workbenchUrl(server.base, workspace));
      await withTimeout(test.fn(ctx), TEST_TIMEOUT_MS, test.name);
      passed++;
      log(`✔ ${test.name} (${elapsed(ts)})`);
    } catch (e) {
      failed++;
      log(`✖ ${test.name} (${elapsed(ts)})\n${e?.stack ?? e}`);
      if (pageErrors.length) log(`page errors:\n  ${pageErrors.slice(-5).join('\n  ')}`);
      await ctx.screenshot('FAILED').catch(() => {});
    } finally {
      await page.close().catch(() => {});
    }
  }
} catch (e) {
  failed++;
  log(`harness error: ${e?.stack ?? e}`);
} finally {
  await cleanup();
}
log(`screenshots in ${path.relative(ROOT, shotsDir)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
