// Locale stage: the mocha suite in test/locale runs inside code-server's extension host with the display
// language set to a pseudo locale (qps-ploc), so every string the extension shows must come from its
// bundles: l10n/bundle.l10n.qps-ploc.json and package.nls.qps-ploc.json, written here from the English
// ones with each message's words wrapped in ⟦…⟧ (test/unit/helpers/pseudo-l10n.ts). The suite then finds
// any word outside the markers: a string that skipped translation.
//
// How the host gets a language without a language pack: code-server (VS Code 1.100's server) takes the
// language from --locale only when the user data folder's languagepacks.json names a pack for it; this
// script writes one whose translations of VS Code's own strings are empty (the workbench stays English),
// which is enough for the extension host to run in that language and load our bundles.
// The extension is served from a folder of links to the checkout plus its own l10n/ and the pseudo
// package.nls file, so the checkout itself never holds the pseudo files.
// Closing line: "N passed, N failed" from the results file the suite writes; no file = a failure.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  ROOT,
  elapsed,
  freshRunDir,
  prepareWorkspace,
  runInExtensionHost,
  startServer,
  finishHostStage,
} from './lib.mjs';

const LOCALE = 'qps-ploc';
const t0 = Date.now();
const runDir = freshRunDir('locale');
const testsPath = path.join(ROOT, 'out', 'test', 'locale', 'index.js');
const helpersPath = path.join(ROOT, 'out', 'test', 'unit', 'helpers', 'pseudo-l10n.js');
const resultFile = path.join(runDir, 'results.json');

for (const built of [testsPath, helpersPath])
  if (!fs.existsSync(built)) {
    console.error(`locale: ${path.relative(ROOT, built)} is missing: build first (npm run build)`);
    finishHostStage('locale', t0, null, 1);
  }
const { pseudo } = createRequire(import.meta.url)(helpersPath);
const pseudoOf = (messages) => Object.fromEntries(Object.entries(messages).map(([k, v]) => [k, pseudo(v)]));
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The extension folder: links to the checkout's entries, a real l10n/ and the pseudo package.nls file. */
function extensionFolder(dir) {
  fs.mkdirSync(dir, { recursive: true });
  // Copies, not links, of what the extension host must find inside the extension's own folder: the
  // manifest, and the code that requires 'vscode' (the host knows an extension by the real path of the
  // file asking, and Node follows links): the bundles in dist/ and the compiled suite in out/.
  const copied = new Set(['package.json', 'package.nls.json', 'dist', 'out']);
  const skip = new Set(['.git', '.test-output', 'l10n', ...copied]);
  for (const entry of fs.readdirSync(ROOT))
    if (!skip.has(entry)) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  for (const entry of copied) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  // What a translation adds besides its two files (ARCHITECTURE.md, Localisation): the manifest's l10n field.
  const manifest = readJson(path.join(dir, 'package.json'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...manifest, l10n: './l10n' }, null, 2));
  const l10n = path.join(dir, 'l10n');
  fs.mkdirSync(l10n);
  const english = readJson(path.join(ROOT, 'l10n', 'bundle.l10n.json'));
  fs.writeFileSync(path.join(l10n, 'bundle.l10n.json'), JSON.stringify(english, null, 2));
  fs.writeFileSync(path.join(l10n, `bundle.l10n.${LOCALE}.json`), JSON.stringify(pseudoOf(english), null, 2));
  const nls = readJson(path.join(ROOT, 'package.nls.json'));
  fs.writeFileSync(path.join(dir, `package.nls.${LOCALE}.json`), JSON.stringify(pseudoOf(nls), null, 2));
  return dir;
}

/** languagepacks.json as VS Code writes it for an installed pack, with no translations of VS Code itself. */
function languagePack(userDataDir) {
  fs.mkdirSync(userDataDir, { recursive: true });
  const translations = path.join(runDir, 'vscode.i18n.json');
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  // The server names a language by its pack's first extension, so the entry has one (no such extension exists).
  const extensions = [{ extensionIdentifier: { id: 'cpt-writer-tests.pseudo-locale' }, version: '1.0.0' }];
  const packs = { [LOCALE]: { hash: 'cpt-writer-pseudo-1', extensions, translations: { vscode: translations } } };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

const extension = extensionFolder(path.join(runDir, 'extension'));
const suite = path.join(extension, path.relative(ROOT, testsPath));
const workspace = prepareWorkspace(path.join(runDir, 'workspace'));
const hostDir = path.join(runDir, 'host');
const userDataDir = path.join(hostDir, 'user-data');
languagePack(userDataDir);
const env = {
  VSCODE_TEST_RESULT_FILE: resultFile,
  CPT_WRITER_TEST_HOST: 'code-server',
  CPT_WRITER_TEST_WORKSPACE: workspace,
  CPT_WRITER_TEST_LOCALE: LOCALE,
  CPT_WRITER_TEST_FEEDBACK: path.join(runDir, 'no-feedback-yet.jsonl'),
};

let code = 1;
let server;
try {
  server = await startServer({ runDir: hostDir, userDataDir, env, extraArgs: ['--locale', LOCALE] });
  console.log(`locale: code-server on ${server.base} in ${LOCALE} (${elapsed(t0)})`);
  code = await runInExtensionHost({
    server,
    runDir: hostDir,
    folder: workspace,
    extensionDevelopmentPath: extension,
    extensionTestsPath: suite,
    timeoutMs: Number(process.env.CPT_HOST_TIMEOUT_MS || 300_000),
    verbose: Boolean(process.env.CPT_HOST_VERBOSE),
  });
} catch (e) {
  console.error('locale: harness error:', e);
} finally {
  await server?.stop();
}
finishHostStage('locale', t0, resultFile, code);
