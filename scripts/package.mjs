// `npm run package`: a platform VSIX for this machine (or --target), e.g. cpt-writer-linux-x64-0.1.0.vsix;
// `--all` builds one for every target below, goes on past a target that fails and fails at the end naming it.
//   node scripts/package.mjs [--target linux-x64 | --all] [--out FILE] [--no-build]
// It stages only what runs in a folder under .cache/ — package.json and package.nls.json, README (and the
// docs it links to), LICENSE, CHANGELOG, dist/, media/ (icon, walkthrough), rubrics/, schemas/, samples/eval/, and
// node_modules holding what the bundles in dist/ still load at run time (node-llama-cpp and its
// dependency closure; everything else is bundled by esbuild) with the target's node-llama-cpp binary
// packages (BINARY_PACKAGES: CPU + Vulkan on x64 Linux and Windows, Metal on Apple silicon; no CUDA, no
// llama.cpp sources, no typescript) — and runs vsce there, which applies .vscodeignore on top.
// A binary package npm did not install here (another platform's) is fetched from the npm registry with
// `npm pack` (integrity-checked, cached in .cache/npm-packs). CPT_KEEP_VSIX_STAGE=1 keeps the staged
// folder for a look (the file list: npx vsce ls in it). Every VSIX is read back and checked to carry
// exactly its target's binary packages and no other platform's native code (scripts/vsix-contents.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { vsixProblems } from './vsix-contents.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * vsce target → the @node-llama-cpp packages with that platform's prebuilt binaries, and what they run
 * on. The CUDA packages (~180 MB and ~360 MB) stay out; a user adds them to the extension's storage.
 */
export const BINARY_PACKAGES = {
  'linux-x64': { packages: ['linux-x64', 'linux-x64-vulkan'], backends: 'CPU, Vulkan' },
  'linux-arm64': { packages: ['linux-arm64'], backends: 'CPU' },
  'linux-armhf': { packages: ['linux-armv7l'], backends: 'CPU' },
  'darwin-arm64': { packages: ['mac-arm64-metal'], backends: 'Metal (and CPU)' },
  'darwin-x64': { packages: ['mac-x64'], backends: 'CPU' },
  'win32-x64': { packages: ['win-x64', 'win-x64-vulkan'], backends: 'CPU, Vulkan' },
  'win32-arm64': { packages: ['win-arm64'], backends: 'CPU' },
};
/** vsce target → npm's os/cpu names, for the platform-specific packages in the closure. */
const TARGET_PLATFORM = {
  'linux-x64': ['linux', 'x64'],
  'linux-arm64': ['linux', 'arm64'],
  'linux-armhf': ['linux', 'arm'],
  'darwin-arm64': ['darwin', 'arm64'],
  'darwin-x64': ['darwin', 'x64'],
  'win32-x64': ['win32', 'x64'],
  'win32-arm64': ['win32', 'arm64'],
};
const HOST_TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-arm': 'linux-armhf',
  'darwin-arm64': 'darwin-arm64',
  'darwin-x64': 'darwin-x64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

function parseArgs(argv) {
  const opts = { build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') opts.target = argv[++i];
    else if (a === '--all') opts.all = true;
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-build') opts.build = false;
    else if (a === '--help' || a === '-h') {
      console.log(
        `usage: node scripts/package.mjs [--target ${Object.keys(BINARY_PACKAGES).join('|')} | --all]` +
          ' [--out FILE] [--no-build]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (opts.all && (opts.target || opts.out)) throw new Error('--all builds every target: leave out --target and --out');
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
 * The packages the bundles in dist/ load at run time: the bare specifiers esbuild left as require() or
 * import() (its externals), less Node's built-ins and vscode. Everything else is inside the bundles.
 */
function externalPackagesOfBundles(distDir) {
  const builtins = new Set([...builtinModules, 'vscode']);
  const names = new Set();
  for (const f of fs.readdirSync(distDir).filter((n) => n.endsWith('.js'))) {
    const code = fs.readFileSync(path.join(distDir, f), 'utf8');
    for (const m of code.matchAll(/\b(?:require|import)\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
      const spec = m[1].startsWith('node:')
        ? m[1]
        : m[1]
            .split('/')
            .slice(0, m[1].startsWith('@') ? 2 : 1)
            .join('/');
      if (!spec.startsWith('node:') && !builtins.has(spec)) names.add(spec);
    }
  }
  return [...names].sort();
}

/** Whether a package's npm `os`/`cpu` fields (if any) admit the target. */
function fitsTarget(manifest, target) {
  const [os, cpu] = TARGET_PLATFORM[target];
  const admits = (list, v) =>
    !Array.isArray(list) || (list.some((x) => !x.startsWith('!')) ? list.includes(v) : !list.includes(`!${v}`));
  return admits(manifest.os, os) && admits(manifest.cpu, cpu);
}

/**
 * Every package directory the bundles load at run time: `roots` and their production dependencies,
 * recursively, plus optional dependencies that are installed and fit the target. @node-llama-cpp/*
 * binary packages are left to the caller. Peer dependencies (typescript for node-llama-cpp's types)
 * are not followed.
 */
function runtimeClosure(roots, target) {
  const seen = new Set();
  const skipped = [];
  const queue = roots.map((name) => ({ name, from: root, optional: false }));
  while (queue.length) {
    const { name, from, optional } = queue.shift();
    if (name.startsWith('@node-llama-cpp/')) continue;
    const dir = resolvePackageDir(name, from);
    if (!dir) {
      if (optional) continue;
      throw new Error(
        `dependency ${name} (needed by ${path.relative(root, from) || 'the extension'}) is not installed: run npm ci`,
      );
    }
    if (seen.has(dir)) continue;
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!fitsTarget(m, target)) {
      skipped.push(name);
      continue;
    }
    seen.add(dir);
    for (const dep of Object.keys(m.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(m.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  return { dirs: [...seen].sort(), skipped };
}

/**
 * The directory of @node-llama-cpp/<name> at node-llama-cpp's own version: the installed one, or one
 * fetched from the npm registry with `npm pack` (npm checks the tarball against the registry's
 * integrity; the cached copy is checked against the integrity npm reported) and unpacked under .cache.
 */
async function binaryPackageDir(name, version) {
  const installed = path.join(root, 'node_modules', '@node-llama-cpp', name);
  const manifest = path.join(installed, 'package.json');
  if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).version === version) return installed;
  const cache = path.join(root, '.cache', 'npm-packs');
  fs.mkdirSync(cache, { recursive: true });
  const spec = `@node-llama-cpp/${name}@${version}`;
  const tgz = path.join(cache, `node-llama-cpp-${name}-${version}.tgz`);
  const integrityFile = `${tgz}.integrity`;
  const sha512 = (f) => `sha512-${createHash('sha512').update(fs.readFileSync(f)).digest('base64')}`;
  if (
    !fs.existsSync(tgz) ||
    !fs.existsSync(integrityFile) ||
    sha512(tgz) !== fs.readFileSync(integrityFile, 'utf8').trim()
  ) {
    console.log(`package: fetching ${spec} from the npm registry (npm pack)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    let out;
    try {
      out = execFileSync(npm, ['pack', spec, '--json', '--pack-destination', cache], {
        cwd: cache,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const said = `${e.stderr ?? ''}`.trim().split('\n').slice(-3).join(' ');
      throw new Error(
        `${spec} is not installed here (npm installs only this platform's binaries) and could not be fetched ` +
          `from the npm registry with npm pack: ${said || e.message}`,
      );
    }
    const [info] = JSON.parse(out);
    const packed = path.join(cache, info.filename);
    if (sha512(packed) !== info.integrity)
      throw new Error(`${spec}: the downloaded tarball does not match the registry's integrity`);
    fs.renameSync(packed, tgz);
    fs.writeFileSync(integrityFile, `${info.integrity}\n`);
  }
  const dir = path.join(cache, `node-llama-cpp-${name}-${version}`);
  const done = path.join(dir, '.unpacked');
  if (!fs.existsSync(done) || fs.readFileSync(done, 'utf8') !== fs.readFileSync(integrityFile, 'utf8')) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await tar.x({ file: tgz, cwd: dir, strip: 1 });
    fs.writeFileSync(done, fs.readFileSync(integrityFile, 'utf8'));
  }
  return dir;
}

const SKIP_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/;
const LLAMA_RUNTIME = /^(grammars(\/|$)|[^/]+\.json$)/; // node-llama-cpp/llama/: what a prebuilt binary still reads

/** Copies one package directory (not its nested node_modules, which the closure copies as needed). */
function copyPackage(srcDir, destDir) {
  const rel = path.relative(root, srcDir).split(path.sep).join('/');
  const isLlama = rel === 'node_modules/node-llama-cpp';
  const isFetched = rel.startsWith('.cache/npm-packs/');
  fs.cpSync(srcDir, destDir, {
    recursive: true,
    filter: (src) => {
      const inner = path.relative(srcDir, src).split(path.sep).join('/');
      if (inner === '') return true;
      if (isFetched && inner === '.unpacked') return false;
      if (inner === 'node_modules' || inner.startsWith('node_modules/')) return false;
      if (SKIP_FILE.test(inner)) return false;
      if (isLlama && inner.startsWith('llama/')) return LLAMA_RUNTIME.test(inner.slice('llama/'.length));
      if (isLlama && (inner === 'templates' || inner.startsWith('templates/'))) return false;
      return true;
    },
  });
}

function dirSize(dir) {
  let total = 0,
    files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      total += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
      files++;
    }
  }
  return { total, files };
}

/** Stage folders left by a packaging run that was interrupted (its process is gone). */
function removeAbandonedStages(dir) {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (!pid || !alive) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function packageExtension(options = {}) {
  const t0 = Date.now();
  const target = options.target ?? HOST_TARGETS[`${process.platform}-${process.arch}`];
  if (!BINARY_PACKAGES[target])
    throw new Error(
      `no VSIX target for ${options.target ?? `${process.platform}-${process.arch}`} (known: ` +
        `${Object.keys(BINARY_PACKAGES).join(', ')})`,
    );
  if (options.build !== false)
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-tsc'], {
      cwd: root,
      stdio: 'inherit',
    });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const main = path.join(root, manifest.main ?? 'dist/extension.js');
  if (!fs.existsSync(main))
    throw new Error(`${path.relative(root, main)} is missing: the build did not produce the extension`);

  // One stage per process: two people packaging in one working tree must not share (and delete) it.
  const stages = path.join(root, '.cache', 'vsix-stage');
  removeAbandonedStages(stages);
  const stage = path.join(stages, `${target}-${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  try {
    return await packageStaged({ stage, target, manifest, options, t0 });
  } finally {
    if (!process.env.CPT_KEEP_VSIX_STAGE) fs.rmSync(stage, { recursive: true, force: true });
  }
}

async function packageStaged({ stage, target, manifest, options, t0 }) {
  fs.mkdirSync(stage, { recursive: true });
  // The README links to BENCHMARKS.md and ARCHITECTURE.md by relative paths: they ship so the links work
  // in VS Code's extension page. package.nls*.json hold the manifest's strings (its %key% placeholders).
  const files = [
    'README.md',
    'CHANGELOG.md',
    'BENCHMARKS.md',
    'ARCHITECTURE.md',
    '.vscodeignore',
    ...fs.readdirSync(root).filter((f) => /^package\.nls(\.[\w-]+)?\.json$/.test(f)),
  ];
  for (const f of files) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  const license = fs.readdirSync(root).find((f) => /^LICEN[CS]E(\.|$)/i.test(f));
  if (license) fs.copyFileSync(path.join(root, license), path.join(stage, license));
  // media/ holds the icon and the walkthrough's pages; schemas/ the rubric schema yamlValidation names; l10n/ any
  // message bundles.
  // samples/eval/ is the evaluation set Evaluate Model… reads by default (the other samples are for npm start).
  for (const d of ['dist', 'media', 'rubrics', 'schemas', 'l10n', 'samples/eval']) {
    if (fs.existsSync(path.join(root, d)))
      fs.cpSync(path.join(root, d), path.join(stage, d), { recursive: true, filter: (s) => !SKIP_FILE.test(s) });
  }
  const externals = externalPackagesOfBundles(path.join(root, 'dist'));
  // The VSIX's manifest lists only what it ships in node_modules: the bundled dependencies (yaml, openai,
  // diff, tar) are inside dist/, and vsce's npm list would call them missing.
  const shipped = {
    ...manifest,
    dependencies: Object.fromEntries(
      Object.entries(manifest.dependencies ?? {}).filter(([name]) => externals.includes(name)),
    ),
  };
  delete shipped.devDependencies;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
  const { dirs: packages, skipped } = runtimeClosure(externals, target);
  for (const dir of packages) copyPackage(dir, path.join(stage, path.relative(root, dir)));
  const llamaVersion = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8'),
  ).version;
  const binaries = [];
  for (const name of BINARY_PACKAGES[target].packages) {
    const dir = await binaryPackageDir(name, llamaVersion);
    const dest = path.join(stage, 'node_modules', '@node-llama-cpp', name);
    copyPackage(dir, dest);
    binaries.push(`@node-llama-cpp/${name} ${mb(dirSize(dest).total)}`);
  }
  const staged = dirSize(path.join(stage, 'node_modules'));
  console.log(
    `package: the bundles load ${externals.join(', ')} at run time; staged ${packages.length} packages of its closure` +
      `${skipped.length ? ` (left out for ${target}: ${skipped.join(', ')})` : ''} and ${binaries.join(', ')}: ` +
      `${staged.files} files, ${mb(staged.total)}`,
  );

  const out = path.resolve(options.out ?? path.join(root, `${manifest.name}-${target}-${manifest.version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // The README's relative links (BENCHMARKS.md, docs) stay relative: there is no public repository URL to point them
  // at.
  const args = [
    vsce,
    'package',
    '--target',
    target,
    '--out',
    out,
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
  ];
  if (!license) args.push('--skip-license');
  // npm list (which vsce uses to find the dependencies) must see only the staged tree.
  const r = spawnSync(process.execPath, args, {
    cwd: stage,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  // vsce lists every file and advises bundling node_modules (node-llama-cpp cannot be bundled: native
  // addons, ESM); keep the rest of what it says.
  const said = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim());
  for (const line of said) {
    if (/^(DONE|ERROR)\b/.test(line) || (/^WARNING\b/.test(line) && !/bundle your extension/.test(line)))
      console.log(line.slice(0, 300));
  }
  if (r.status !== 0)
    throw new Error(
      `vsce package failed (exit ` +
        `${r.status ?? r.signal})${said.some((l) => /^ERROR/.test(l)) ? '' : `:\n${said.join('\n').slice(-2000)}`}`,
    );
  const wrong = vsixProblems(out, target, BINARY_PACKAGES[target].packages, (m) => fitsTarget(m, target));
  if (wrong.length) {
    fs.rmSync(out, { force: true });
    throw new Error(`the ${target} VSIX was wrong and is deleted: ${wrong.join('; ')}`);
  }
  const size = fs.statSync(out).size;
  console.log(
    `package: ${path.relative(process.cwd(), out)} ${mb(size)} (${size} bytes) in ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { file: out, size, target, backends: BINARY_PACKAGES[target].backends };
}

/**
 * Every target in BINARY_PACKAGES, built once and packaged one after another. A target that cannot be
 * packaged here (its binary package neither installed nor fetchable) is reported and the rest go on; the
 * run then fails naming each one that did not build.
 */
export async function packageAll(options = {}) {
  if (options.build !== false)
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-tsc'], {
      cwd: root,
      stdio: 'inherit',
    });
  const results = [];
  for (const target of Object.keys(BINARY_PACKAGES)) {
    try {
      results.push({ ok: true, ...(await packageExtension({ target, build: false })) });
    } catch (e) {
      console.error(`package: ${target}: ${e.message}`);
      results.push({ ok: false, target, backends: BINARY_PACKAGES[target].backends, error: e.message });
    }
  }
  console.log('package: all targets');
  for (const r of results) {
    const what = r.ok ? `${mb(r.size)}  ${path.relative(process.cwd(), r.file)}` : `FAILED: ${r.error}`;
    console.log(`  ${r.target.padEnd(13)} ${r.backends.padEnd(16)} ${what}`);
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length)
    throw new Error(
      `${failed.length} of ${results.length} targets were not built: ${failed.map((r) => r.target).join(', ')}`,
    );
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.all) await packageAll(opts);
    else await packageExtension(opts);
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
