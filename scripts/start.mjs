// `npm start`: CPT Writer in a real VS Code (code-server 4.100.3) at http://127.0.0.1:PORT, from a clean clone.
//   npm start [-- --model SPEC] [-- --demo-model] [-- --port N] [-- --folder DIR]
// Installs what is missing (npm ci, scripts/setup-vscode-host.sh), builds, packages the extension as a
// VSIX and installs it into a persistent profile in .vscode-host/profile (again only when what goes into
// the VSIX changed), opens .vscode-host/workspace (a copy of samples/ made once) or --folder, and serves
// until Ctrl-C, which stops code-server and every process under it. With no model configured in the
// profile (or with --demo-model) it generates a random-weight demo model and makes it cptWriter.model:
// the pipeline works end to end, but its rewrites are gibberish (the terminal and the status bar say so);
// --model SPEC (a .gguf path, an https: URL or an hf: URI) sets a real one. The profile has VS Code's own
// welcome walkthrough and the git parent-folder prompt turned off, and on the first start the extension
// (told by CPT_WRITER_START) opens its sidebar and a sample document with a sentence selected.
// CPT_WRITER_START_HOME=DIR keeps profile/, workspace/ and the VSIX in DIR instead of .vscode-host (the
// start e2e stage runs in its own folder). It never opens a browser.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const hostDir = process.env.CPT_WRITER_START_HOME
  ? path.resolve(process.env.CPT_WRITER_START_HOME)
  : path.join(root, '.vscode-host');
const profileDir = path.join(hostDir, 'profile');
/** The sample the first start opens, and the sentence in it that is selected, ready for a rewrite. */
const SAMPLE_DOCUMENT = 'blog-post.md';
const SAMPLE_SENTENCE = /^So basically\b/;
const DEMO_MODEL_FILE = 'demo-random-weights.gguf';

function parseArgs(argv) {
  const opts = { port: undefined, demoModel: false, model: undefined, folder: undefined };
  const value = (i, flag) => {
    if (i >= argv.length || argv[i].startsWith('--')) throw new Error(`${flag} needs a value (see --help)`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(value(++i, a));
    else if (a.startsWith('--port=')) opts.port = Number(a.slice(7));
    else if (a === '--demo-model') opts.demoModel = true;
    else if (a === '--model') opts.model = value(++i, a);
    else if (a.startsWith('--model=')) opts.model = a.slice(8);
    else if (a === '--folder') opts.folder = path.resolve(userCwd(), value(++i, a));
    else if (a === '--help' || a === '-h') {
      console.log(
        [
          'usage: npm start [-- --model SPEC] [-- --demo-model] [-- --port N] [-- --folder DIR]',
          '  --model SPEC   the model to use: a .gguf file, an https: URL or an hf: URI (hf:owner/repo:Q4_K_M)',
          '  --demo-model   use the generated demo model, with random weights (the default while no model is set)',
          '  --port N       serve on port N of 127.0.0.1 (default 8080, or a free one)',
          '  --folder DIR   open DIR instead of the sample workspace',
        ].join('\n'),
      );
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) {
    throw new Error('--port needs a port number between 1 and 65535');
  }
  if (opts.model !== undefined && opts.demoModel) throw new Error('--model and --demo-model exclude each other');
  return opts;
}

/** Where the person typed `npm start` (npm runs the script from the package root). */
function userCwd() {
  return process.env.INIT_CWD || process.cwd();
}

/**
 * A --model value as cptWriter.model takes it: hf: URIs and http(s): URLs as given (the extension checks
 * and downloads them), a file path or file: URL made absolute and checked to exist here, so a typo fails
 * now rather than in the browser.
 */
function resolveModelSpec(spec) {
  const s = spec.trim();
  if (/^(hf|huggingface):/i.test(s) || /^https?:\/\//i.test(s)) return s;
  let file;
  if (/^file:\/\//i.test(s)) file = fileURLToPath(s);
  else if (s === '~' || s.startsWith('~/')) file = path.join(os.homedir(), s.slice(1));
  else file = path.resolve(userCwd(), s);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new Error(`--model: no such file: ${file} (give a .gguf file, an https: URL or an hf: URI)`);
  }
  return file;
}

/** cptWriter.model as the profile has it (the Machine file wins, as in the web workbench), or undefined. */
function configuredModel(userDataDir) {
  for (const f of [
    path.join(userDataDir, 'Machine', 'settings.json'),
    path.join(userDataDir, 'User', 'settings.json'),
  ]) {
    try {
      const v = JSON.parse(fs.readFileSync(f, 'utf8'))['cptWriter.model'];
      if (typeof v === 'string' && v.trim()) return v.trim();
    } catch {
      /* absent or not plain JSON */
    }
  }
  return undefined;
}

/** The 1-based line of the sample sentence the first start selects, if the sample still has it. */
function sampleLine(file) {
  try {
    const i = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => SAMPLE_SENTENCE.test(l));
    return i >= 0 ? i + 1 : undefined;
  } catch {
    return undefined;
  }
}

const step = (m) => console.log(`start: ${m}`);

/** A digest of everything that goes into the VSIX, so an unchanged build is not repackaged or reinstalled. */
function vsixInputsDigest() {
  const h = crypto.createHash('sha256');
  const add = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const e of fs.readdirSync(abs).sort()) if (!e.endsWith('.map')) add(path.join(rel, e));
    } else {
      h.update(rel).update('\0').update(fs.readFileSync(abs)).update('\0');
    }
  };
  for (const p of [
    'package.json',
    'package-lock.json',
    'README.md',
    '.vscodeignore',
    'scripts/package.mjs',
    'dist',
    'media',
    'rubrics',
  ])
    add(p);
  return h.digest('hex');
}

/** The running code-server, once spawned: Ctrl-C stops it with everything under it. */
let server;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (server) {
    console.log('\nstart: stopping code-server and every process it started');
    await server.stop();
  }
  process.exit(code);
}

async function main() {
  // Registered first: a Ctrl-C while code-server starts must not leave it running on its own.
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  const opts = parseArgs(process.argv.slice(2));
  // Checked before anything is built or installed: a typo in the path fails at once.
  const modelSpec = opts.model !== undefined ? resolveModelSpec(opts.model) : undefined;
  ensureDependencies(root, step);
  execFileSync('bash', [path.join(root, 'scripts', 'setup-vscode-host.sh')], { cwd: root, stdio: 'inherit' });
  // Imported only now: both need the packages npm ci just installed.
  const { packageExtension } = await import('./package.mjs');
  const lib = await import('../test/host/lib.mjs');

  step('building');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-tsc'], {
    cwd: root,
    stdio: 'inherit',
  });

  // A profile whose workbench never ran gets the first-start layout; the terminal says so only then, so
  // what it describes is what the screen shows (a later start keeps the writer's own layout).
  const firstStart = !fs.existsSync(path.join(profileDir, 'user-data'));
  fs.mkdirSync(profileDir, { recursive: true });
  const extensionsDir = path.join(profileDir, 'extensions');
  const stamp = path.join(profileDir, 'installed-vsix.sha256');
  const digest = vsixInputsDigest();
  const installedOk =
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8').trim() === digest &&
    fs.existsSync(extensionsDir) &&
    fs.readdirSync(extensionsDir).some((d) => d.startsWith(`${lib.EXTENSION_ID}-`));
  if (installedOk) {
    step('the installed extension is up to date');
  } else {
    const { file } = await packageExtension({ out: path.join(hostDir, 'cpt-writer.vsix'), build: false });
    const { ms } = lib.installExtension(file, { runDir: profileDir, extensionsDir });
    fs.writeFileSync(stamp, `${digest}\n`);
    step(`installed ${path.relative(root, file)} into ${path.relative(root, extensionsDir)} (${ms} ms)`);
  }

  const settings = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    // The first screen is CPT Writer's, not VS Code's "Get Started" walkthrough or tips.
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    // The sample workspace lies inside this clone: without this, git offers to open the clone's repository.
    'git.openRepositoryInParentFolders': 'never',
  };
  const demoModelFile = path.join(profileDir, 'models', DEMO_MODEL_FILE);
  const userDataDir = path.join(profileDir, 'user-data');
  let model;
  if (opts.model !== undefined) {
    model = { spec: modelSpec, why: 'from --model' };
  } else if (!opts.demoModel) {
    const current = configuredModel(userDataDir);
    if (current && path.resolve(current) !== demoModelFile) model = { spec: current, why: 'set in this profile' };
  }
  const demo = !model;
  if (demo) {
    if (!fs.existsSync(demoModelFile)) {
      step(
        'generating the demo model, with random weights (its rewrites are gibberish; choose a real model for writing)',
      );
      await lib.makeTestModel(demoModelFile);
    }
    model = { spec: demoModelFile, why: 'demo' };
    // Its byte-level vocabulary spends ~3 tokens where a real model spends one: the rubric prompt and
    // the paragraphs around a selection need more than the default 4,096.
    settings['cptWriter.contextSize'] = 8192;
  }
  settings['cptWriter.model'] = model.spec;

  const folder = opts.folder ?? path.join(hostDir, 'workspace');
  if (!opts.folder && !fs.existsSync(folder)) {
    fs.cpSync(path.join(root, 'samples'), folder, { recursive: true });
    step(`copied samples/ into ${path.relative(root, folder)}`);
  }
  // Read by the extension (src/vscode/start): the first start in this profile opens the sidebar and the
  // sample with its sentence selected; a demo model is loaded at once so the status bar names it.
  const sample = path.join(folder, SAMPLE_DOCUMENT);
  const startRequest =
    opts.folder || !firstStart || !fs.existsSync(sample)
      ? { demoModel: demo }
      : { document: sample, line: sampleLine(sample), demoModel: demo };

  const port = await lib.freePort(opts.port ?? 8080);
  if (opts.port && port !== opts.port) step(`port ${opts.port} is taken; using ${port}`);
  await lib.startServer({
    runDir: profileDir,
    extensionsDir,
    port,
    settings,
    quiet: false,
    env: { CPT_WRITER_START: JSON.stringify(startRequest) },
    onSpawn: (s) => {
      server = s;
    },
  });
  server.proc.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `start: code-server exited (${code ?? signal}); see ` +
        `${path.relative(root, path.join(profileDir, 'code-server.log'))}`,
    );
    void stop(1);
  });

  const url = lib.workbenchUrl(server.base, folder);
  console.log(
    [
      '',
      '  CPT Writer is running in VS Code (code-server 4.100.3). Open this URL in a browser:',
      '',
      `    ${url}`,
      '',
      startRequest.document
        ? `  The CPT Writer sidebar opens with ${SAMPLE_DOCUMENT}, a sentence selected: press Rewrite Selection.`
        : '  Select some text, then press Rewrite Selection in the CPT Writer sidebar (or F1 → "CPT Writer: ' +
          'Rewrite Selection…").\n' +
          '  The workbench opens as you left it.',
      demo
        ? '  Model: the demo model, with random weights (everything works, but its rewrites are gibberish).\n' +
          '  For real writing click the model in the status bar (Select Model…: a recommended model, a local\n' +
          '  .gguf file or a URL), or restart with: npm start -- --model SPEC'
        : `  Model: ${model.spec} (${model.why}); the model in the status bar (Select Model…) changes it.`,
      '  A walkthrough of the writing loop: F1 → "CPT Writer: Get Started".',
      `  Profile: ${path.relative(root, profileDir)}   Log: ` +
        `${path.relative(root, path.join(profileDir, 'code-server.log'))}`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch(async (e) => {
  console.error(`start: ${e.message}`);
  if (server) await server.stop();
  process.exit(1);
});
