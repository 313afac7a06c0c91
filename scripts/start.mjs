// `npm start`: CPT Writer in a real VS Code (code-server 4.100.3) at http://127.0.0.1:PORT, from a clean clone.
//   npm start [-- --port N] [-- --demo-model] [-- --folder DIR]
// Installs what is missing (npm ci, scripts/setup-vscode-host.sh), builds, packages the extension as a
// VSIX and installs it into a persistent profile in .vscode-host/profile (again only when what goes into
// the VSIX changed), opens .vscode-host/workspace (a copy of samples/ made once) or --folder, and serves
// until Ctrl-C. --demo-model generates a random-weight model and makes it cptWriter.model: the pipeline
// works end to end, but its rewrites are gibberish (the extension says so). It never opens a browser.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const hostDir = path.join(root, '.vscode-host');
const profileDir = path.join(hostDir, 'profile');

function parseArgs(argv) {
  const opts = { port: undefined, demoModel: false, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) opts.port = Number(a.slice(7));
    else if (a === '--demo-model') opts.demoModel = true;
    else if (a === '--folder') opts.folder = path.resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm start [-- --port N] [-- --demo-model] [-- --folder DIR]');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) {
    throw new Error('--port needs a port number between 1 and 65535');
  }
  return opts;
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
  for (const p of ['package.json', 'package-lock.json', 'README.md', '.vscodeignore', 'scripts/package.mjs', 'dist', 'media', 'rubrics']) add(p);
  return h.digest('hex');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureDependencies(root, step);
  execFileSync('bash', [path.join(root, 'scripts', 'setup-vscode-host.sh')], { cwd: root, stdio: 'inherit' });
  // Imported only now: both need the packages npm ci just installed.
  const { packageExtension } = await import('./package.mjs');
  const lib = await import('../test/host/lib.mjs');

  step('building');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-tsc'], { cwd: root, stdio: 'inherit' });

  fs.mkdirSync(profileDir, { recursive: true });
  const extensionsDir = path.join(profileDir, 'extensions');
  const stamp = path.join(profileDir, 'installed-vsix.sha256');
  const digest = vsixInputsDigest();
  const installedOk = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest
    && fs.existsSync(extensionsDir) && fs.readdirSync(extensionsDir).some((d) => d.startsWith(`${lib.EXTENSION_ID}-`));
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
  };
  if (opts.demoModel) {
    const model = path.join(profileDir, 'models', 'demo-random-weights.gguf');
    if (!fs.existsSync(model)) {
      step('generating a random-weight demo model (its rewrites are gibberish; choose a real model for writing)');
      await lib.makeTestModel(model);
    }
    settings['cptWriter.model'] = model;
    // Its byte-level vocabulary spends ~3 tokens where a real model spends one: the rubric prompt and
    // the paragraphs around a selection need more than the default 4,096.
    settings['cptWriter.contextSize'] = 8192;
  }

  const folder = opts.folder ?? path.join(hostDir, 'workspace');
  if (!opts.folder && !fs.existsSync(folder)) {
    fs.cpSync(path.join(root, 'samples'), folder, { recursive: true });
    step(`copied samples/ into ${path.relative(root, folder)}`);
  }

  const port = await lib.freePort(opts.port ?? 8080);
  if (opts.port && port !== opts.port) step(`port ${opts.port} is taken; using ${port}`);
  const server = await lib.startServer({ runDir: profileDir, extensionsDir, port, settings, quiet: false });
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstart: stopping code-server');
    await server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  server.proc.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`start: code-server exited (${code ?? signal}); see ${path.relative(root, path.join(profileDir, 'code-server.log'))}`);
    void stop(1);
  });

  const url = lib.workbenchUrl(server.base, folder);
  console.log([
    '',
    '  CPT Writer is running in VS Code (code-server 4.100.3). Open this URL in a browser:',
    '',
    `    ${url}`,
    '',
    `  Select some text, then run "CPT Writer: Rewrite Selection…" (F1) or use the CPT Writer sidebar.`,
    opts.demoModel ? '  Model: a random-weight demo model (gibberish output). "CPT Writer: Select Model…" picks a real one.'
      : '  First use: "CPT Writer: Select Model…" to choose or download a model (or restart with --demo-model).',
    `  Profile: ${path.relative(root, profileDir)}   Log: ${path.relative(root, path.join(profileDir, 'code-server.log'))}`,
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n'));
}

main().catch((e) => {
  console.error(`start: ${e.message}`);
  process.exit(1);
});
