// `npm run package`: a platform VSIX for this machine (or --target), e.g. cpt-writer-linux-x64-0.1.0.vsix.
//   node scripts/package.mjs [--target linux-x64] [--out FILE] [--no-build]
// It stages only what runs in a folder under .cache/ — package.json, README, LICENSE, dist/, media/,
// rubrics/, and node_modules holding the runtime dependency closure with exactly one node-llama-cpp
// binary package, the target's CPU one (no CUDA/Vulkan/other-platform builds, no llama.cpp sources, no
// typescript) — and runs vsce there, which applies .vscodeignore on top. CPT_KEEP_VSIX_STAGE=1 keeps the
// staged folder for a look (the file list: npx vsce ls in it).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** vsce target → the @node-llama-cpp package holding that platform's prebuilt CPU (or Metal) binaries. */
const BINARY_PACKAGES = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-armhf': 'linux-armv7l',
  'darwin-arm64': 'mac-arm64-metal',
  'darwin-x64': 'mac-x64',
  'win32-x64': 'win-x64',
  'win32-arm64': 'win-arm64',
};
const HOST_TARGETS = { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'linux-arm': 'linux-armhf',
  'darwin-arm64': 'darwin-arm64', 'darwin-x64': 'darwin-x64', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64' };

function parseArgs(argv) {
  const opts = { build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') opts.target = argv[++i];
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-build') opts.build = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/package.mjs [--target linux-x64|linux-arm64|linux-armhf|darwin-arm64|darwin-x64|win32-x64|win32-arm64] [--out FILE] [--no-build]');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  return opts;
}

/** Node's lookup: the nearest node_modules/<name> at or above `fromDir`, inside the repository. */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
}

/**
 * Every package directory the extension loads at run time: the production dependencies, recursively,
 * plus optional dependencies that are installed — except @node-llama-cpp/* binary packages other than
 * `binaryPackage`. Peer dependencies (typescript for node-llama-cpp's types) are not followed.
 */
function runtimeClosure(binaryPackage) {
  const rootManifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const seen = new Set();
  const queue = Object.keys(rootManifest.dependencies ?? {}).map((name) => ({ name, from: root, optional: false }));
  while (queue.length) {
    const { name, from, optional } = queue.shift();
    if (name.startsWith('@node-llama-cpp/') && name !== `@node-llama-cpp/${binaryPackage}`) continue;
    const dir = resolvePackageDir(name, from);
    if (!dir) {
      if (optional) continue;
      throw new Error(`dependency ${name} (needed by ${path.relative(root, from) || 'the extension'}) is not installed: run npm ci`);
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(m.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(m.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  return [...seen].sort();
}

const SKIP_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/;
const LLAMA_RUNTIME = /^(grammars(\/|$)|[^/]+\.json$)/; // node-llama-cpp/llama/: what a prebuilt binary still reads

/** Copies one package directory (not its nested node_modules, which the closure copies as needed). */
function copyPackage(srcDir, destDir) {
  const rel = path.relative(root, srcDir).split(path.sep).join('/');
  const isLlama = rel === 'node_modules/node-llama-cpp';
  fs.cpSync(srcDir, destDir, {
    recursive: true,
    filter: (src) => {
      const inner = path.relative(srcDir, src).split(path.sep).join('/');
      if (inner === '') return true;
      if (inner === 'node_modules' || inner.startsWith('node_modules/')) return false;
      if (SKIP_FILE.test(inner)) return false;
      if (isLlama && inner.startsWith('llama/')) return LLAMA_RUNTIME.test(inner.slice('llama/'.length));
      if (isLlama && (inner === 'templates' || inner.startsWith('templates/'))) return false;
      return true;
    },
  });
}

function dirSize(dir) {
  let total = 0, files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) { total += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size; files++; }
  }
  return { total, files };
}

/** Stage folders left by a packaging run that was interrupted (its process is gone). */
function removeAbandonedStages(dir) {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch (e) { alive = e.code === 'EPERM'; }
    if (!pid || !alive) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function packageExtension(options = {}) {
  const t0 = Date.now();
  const target = options.target ?? HOST_TARGETS[`${process.platform}-${process.arch}`];
  const binaryPackage = BINARY_PACKAGES[target];
  if (!binaryPackage) throw new Error(`no VSIX target for ${options.target ?? `${process.platform}-${process.arch}`} (known: ${Object.keys(BINARY_PACKAGES).join(', ')})`);
  if (!fs.existsSync(path.join(root, 'node_modules', '@node-llama-cpp', binaryPackage, 'package.json'))) {
    throw new Error(`node_modules/@node-llama-cpp/${binaryPackage} is not installed, so a ${target} VSIX cannot be built on this machine (npm installs only the binaries for the platform it runs on)`);
  }
  if (options.build !== false) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-tsc'], { cwd: root, stdio: 'inherit' });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const main = path.join(root, manifest.main ?? 'dist/extension.js');
  if (!fs.existsSync(main)) throw new Error(`${path.relative(root, main)} is missing: the build did not produce the extension`);

  // One stage per process: two people packaging in one working tree must not share (and delete) it.
  const stages = path.join(root, '.cache', 'vsix-stage');
  removeAbandonedStages(stages);
  const stage = path.join(stages, `${target}-${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  try {
    return await packageStaged({ stage, target, binaryPackage, manifest, options, t0 });
  } finally {
    if (!process.env.CPT_KEEP_VSIX_STAGE) fs.rmSync(stage, { recursive: true, force: true });
  }
}

async function packageStaged({ stage, target, binaryPackage, manifest, options, t0 }) {
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', '.vscodeignore']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  const license = fs.readdirSync(root).find((f) => /^LICEN[CS]E(\.|$)/i.test(f));
  if (license) fs.copyFileSync(path.join(root, license), path.join(stage, license));
  for (const d of ['dist', 'media', 'rubrics']) {
    if (fs.existsSync(path.join(root, d))) fs.cpSync(path.join(root, d), path.join(stage, d), { recursive: true, filter: (s) => !SKIP_FILE.test(s) });
  }
  const packages = runtimeClosure(binaryPackage);
  for (const dir of packages) copyPackage(dir, path.join(stage, path.relative(root, dir)));
  const staged = dirSize(path.join(stage, 'node_modules'));
  console.log(`package: staged ${packages.length} runtime packages (${staged.files} files, ${mb(staged.total)}) with @node-llama-cpp/${binaryPackage}`);

  const out = path.resolve(options.out ?? path.join(root, `${manifest.name}-${target}-${manifest.version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // The README's relative links (BENCHMARKS.md, docs) stay relative: there is no public repository URL to point them at.
  const args = [vsce, 'package', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'];
  if (!license) args.push('--skip-license');
  // npm list (which vsce uses to find the dependencies) must see only the staged tree.
  const r = spawnSync(process.execPath, args, { cwd: stage, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  // vsce lists every file and advises bundling node_modules (node-llama-cpp cannot be bundled: native
  // addons, ESM); keep the rest of what it says.
  const said = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim());
  for (const line of said) {
    if (/^(DONE|ERROR)\b/.test(line) || (/^WARNING\b/.test(line) && !/bundle your extension/.test(line))) console.log(line.slice(0, 300));
  }
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status ?? r.signal})${said.some((l) => /^ERROR/.test(l)) ? '' : `:\n${said.join('\n').slice(-2000)}`}`);
  const size = fs.statSync(out).size;
  console.log(`package: ${path.relative(process.cwd(), out)} ${mb(size)} (${size} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { file: out, size, target };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await packageExtension(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
