// Shared helpers for running a real VS Code (code-server 4.100.3 + Debian Chromium through playwright-core)
// for the integration tests, the e2e tests and `npm start`. Every file code-server, its extension host and
// Chromium write goes under a run folder (config, user data, extensions, XDG dirs, TMPDIR), nothing under
// $HOME or /tmp, and every process is started in its own process group so it can be killed whole.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER =
  process.env.CODE_SERVER_BIN || path.join(ROOT, '.vscode-host', 'server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const EXTENSION_ID = 'cpt-writer.cpt-writer';

/** Workbench settings that keep a test run quiet and offline (no welcome page, gallery, telemetry or AI). */
export const QUIET_SETTINGS = {
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

/** Workspace trust on, without the modal prompt at startup: an unknown folder opens in Restricted Mode. */
export const TRUST_ON_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
};

/** XDG dirs and TMPDIR inside `dir`, created; code-server, its extension host and Chromium honour these. */
export function isolatedEnv(dir) {
  const x = path.join(dir, 'xdg');
  const env = {
    XDG_CONFIG_HOME: path.join(x, 'config'),
    XDG_DATA_HOME: path.join(x, 'data'),
    XDG_CACHE_HOME: path.join(x, 'cache'),
    XDG_RUNTIME_DIR: path.join(x, 'runtime'),
    TMPDIR: path.join(x, 'tmp'),
  };
  for (const d of Object.values(env)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  return env;
}

export function ensureCodeServer() {
  if (!fs.existsSync(CODE_SERVER)) {
    throw new Error(
      `code-server is not installed at ${path.relative(ROOT, CODE_SERVER)}: run bash scripts/setup-vscode-host.sh`,
    );
  }
}

/** `preferred` if it is free on 127.0.0.1, else any free port. */
export function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => (preferred ? freePort(0).then(resolve) : resolve(0)));
    s.listen(preferred, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (r) => {
      r.resume();
      resolve(r.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Merges `settings` into the profile's User settings and its Machine settings (creating them). The web
 * workbench is a remote window, where machine-scoped settings such as cptWriter.model are read from the
 * Machine (remote) file only.
 */
export function writeUserSettings(userDataDir, settings) {
  const files = [path.join(userDataDir, 'User', 'settings.json'), path.join(userDataDir, 'Machine', 'settings.json')];
  for (const file of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let current = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      /* absent or not plain JSON: start over */
    }
    fs.writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + '\n');
  }
  return files;
}

/** The code-server CLI arguments that pin a profile to `dirs` (never ~/.config/code-server). */
function profileArgs({ config, userDataDir, extensionsDir }) {
  return ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}

function profileDirs(runDir, opts) {
  const dirs = {
    config: opts.config ?? path.join(runDir, 'config.yaml'),
    userDataDir: opts.userDataDir ?? path.join(runDir, 'user-data'),
    extensionsDir: opts.extensionsDir ?? path.join(runDir, 'extensions'),
  };
  fs.mkdirSync(dirs.userDataDir, { recursive: true });
  fs.mkdirSync(dirs.extensionsDir, { recursive: true });
  if (!fs.existsSync(dirs.config)) fs.writeFileSync(dirs.config, '');
  return dirs;
}

/** `code-server --install-extension <vsix>` into the given profile; throws with its output on failure. */
export function installExtension(vsix, { runDir, ...opts }) {
  ensureCodeServer();
  const dirs = profileDirs(runDir, opts);
  const t0 = Date.now();
  const r = spawnSync(CODE_SERVER, [...profileArgs(dirs), '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...isolatedEnv(runDir) },
    timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${path.basename(vsix)} failed (exit ${r.status}):\n${out}`);
  }
  return { ms: Date.now() - t0, output: out };
}

/**
 * Starts code-server on 127.0.0.1 in its own process group with a profile under `runDir`; `settings`
 * are merged into the profile's settings (with QUIET_SETTINGS unless `quiet` is false).
 * Resolves once /healthz answers; `onSpawn(server)` is called as soon as the process exists. `stop()` kills
 * the whole group (server, extension host, engine processes, watchers, ptys).
 * Workspace trust is off (every folder trusted) unless `workspaceTrust` is true: then code-server runs
 * without --disable-workspace-trust and the profile turns trust on with no startup prompt, so a folder
 * opened for the first time is in Restricted Mode and no dialog waits for an answer.
 */
export async function startServer({
  runDir,
  env = {},
  port,
  settings,
  quiet = true,
  extraArgs = [],
  logFile,
  onSpawn,
  workspaceTrust = false,
  ...opts
}) {
  ensureCodeServer();
  fs.mkdirSync(runDir, { recursive: true });
  const dirs = profileDirs(runDir, opts);
  const trust = workspaceTrust ? TRUST_ON_SETTINGS : {};
  writeUserSettings(dirs.userDataDir, quiet ? { ...QUIET_SETTINGS, ...trust, ...settings } : { ...trust, ...settings });
  const chosen = port ?? (await freePort());
  const args = [
    '--bind-addr',
    `127.0.0.1:${chosen}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...profileArgs(dirs),
    ...extraArgs,
  ];
  const log = fs.openSync(logFile ?? path.join(runDir, 'code-server.log'), 'a');
  const proc = spawn(CODE_SERVER, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...isolatedEnv(runDir), ...env },
  });
  fs.closeSync(log);
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const base = `http://127.0.0.1:${chosen}`;
  const server = {
    proc,
    port: chosen,
    base,
    ...dirs,
    /**
     * Kills the process group: SIGTERM, then SIGKILL for whatever is still there after `graceMs`. The
     * process tree is read first, so a descendant in a group or session of its own (a terminal's shell
     * under the pty host) is killed too rather than left to init.
     */
    async stop(graceMs = 3000) {
      const tree = processTree(proc.pid);
      killGroup(proc.pid, 'SIGTERM');
      for (const p of tree) killProcess(p, 'SIGTERM');
      await Promise.race([exitPromise, sleep(graceMs)]);
      await sleep(200); // let the extension host and watchers react to their parent going away
      killGroup(proc.pid, 'SIGKILL');
      for (const p of tree) killProcess(p, 'SIGKILL');
    },
  };
  // The caller can stop it even before it answers (Ctrl-C while it starts).
  onSpawn?.(server);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited)
      throw new Error(
        `code-server exited (${JSON.stringify(exited)}) before listening; see ` +
          `${logFile ?? path.join(runDir, 'code-server.log')}`,
      );
    if ((await httpStatus(`${base}/healthz`)) === 200) return server;
    await sleep(100);
  }
  await server.stop();
  throw new Error(`code-server did not answer on ${base}/healthz within 60 s`);
}

export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is already gone */
  }
}

/** One process as /proc/<pid>/stat tells it; `start` (clock ticks after boot) tells a reused pid apart. */
export function readProcess(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      /* gone */
    }
    return { pid, state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19], cmdline };
  } catch {
    return undefined;
  }
}

/** Every process now running (Linux /proc; empty elsewhere). */
export function listProcesses() {
  let names = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProcess(Number(n)))
    .filter(Boolean);
}

/** `pid` and all its descendants (by parent pid), as readProcess gives them. */
export function processTree(pid) {
  const all = listProcesses();
  const byParent = new Map();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out = all.filter((p) => p.pid === pid);
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i].pid) ?? []));
  return out;
}

/** Whether the process read earlier still runs (the same pid and start time, not a zombie). */
export function stillRunning(p) {
  const now = readProcess(p.pid);
  return !!now && now.start === p.start && now.state !== 'Z';
}

function killProcess(p, signal) {
  if (!stillRunning(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    /* gone */
  }
}

/** Processes whose environment holds `needle` (an env var value only one run uses); own user's only. */
export function processesWithEnv(needle) {
  return listProcesses().filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

/** Headless Debian Chromium with a fresh profile under `runDir` (a persistent context, so the profile is ours). */
export async function launchBrowser(runDir, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = path.join(runDir, 'chromium-profile');
  fs.rmSync(profile, { recursive: true, force: true });
  const home = path.join(runDir, 'chromium-home'); // NSS (~/.pki) and anything else Chromium puts in $HOME
  fs.mkdirSync(home, { recursive: true });
  const env = isolatedEnv(runDir);
  // Playwright keeps its artifacts folder in this process's os.tmpdir(), which reads TMPDIR on each call.
  process.env.TMPDIR = env.TMPDIR;
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    env: { ...process.env, ...env, HOME: home },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A path on the code-server machine as the URI the web workbench resolves through its remote connection. */
export function remoteUri(base, p) {
  return `vscode-remote://${new URL(base).host}${p}`;
}

export function workbenchUrl(base, folder, payload) {
  let u = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return u;
}

/** Workbench log lines that say nothing about the tests (connection chatter). */
const NOISE = new RegExp(
  '^(' +
    [
      'Resolving',
      'Resolved',
      'Creating a socket',
      'Updating additional',
      'ChatSessionStore',
      '\\[Service Worker\\]',
      '\\[LocalProcess\\]',
      'Extension host agent',
      'Started initializing',
      'Extensions: ',
      'Creation of workbench contribution',
      'Ignoring fetching additional builtin',
    ].join('|') +
    ')',
);

/**
 * Runs an extensionTestsPath module inside code-server's (remote, Node) extension host, the way the
 * desktop test runner does: the workbench URL's payload names the development extension and the tests;
 * the workbench reports the outcome through window.codeAutomationExit and mirrors the extension host's
 * console (mocha's reporter) through window.codeAutomationLog.
 * Resolves to the exit code the workbench reported, 124 on timeout.
 */
export async function runInExtensionHost({
  server,
  runDir,
  folder,
  extensionDevelopmentPath,
  extensionTestsPath,
  timeoutMs = 600_000,
  verbose = false,
}) {
  const ctx = await launchBrowser(runDir);
  let timer;
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    let finish;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    timer = setTimeout(() => {
      console.error(`host: no result after ${timeoutMs / 1000} s`);
      finish(124);
    }, timeoutMs);
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...args);
      if (verbose || !NOISE.test(line)) (type === 'error' ? console.error : console.log)(line);
    });
    page.on('pageerror', (e) => {
      if (verbose) console.log('[pageerror]', String(e).slice(0, 300));
    });
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.base, extensionDevelopmentPath)],
      ['extensionTestsPath', remoteUri(server.base, extensionTestsPath)],
      ['skipWelcome', 'true'],
    ];
    // Playwright's 30 s default for the page load is too short on a loaded machine; the run's own deadline
    // (the timer above) bounds it instead, and the outcome comes from codeAutomationExit, not the load event.
    await page.goto(workbenchUrl(server.base, folder, payload), { waitUntil: 'commit', timeout: timeoutMs });
    return await done;
  } finally {
    clearTimeout(timer);
    await ctx.close().catch(() => {});
  }
}

/** Runs `node dist/cli.js make-test-model <out>`: a tiny random-weight GGUF for tests and the demo. */
export async function makeTestModel(out) {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(process.execPath, [cli, 'make-test-model', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status === 0 && fs.existsSync(out)) return out;
  const message = (r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n');
  // Until the CLI command is wired up, the core writer it wraps does the same job.
  const core = path.join(ROOT, 'out', 'src', 'core', 'testmodel', 'index.js');
  if (/not implemented/.test(message) && fs.existsSync(core)) {
    const { writeTestModel } = (await import(core)).default;
    await writeTestModel(out);
    return out;
  }
  throw new Error(`make-test-model failed (exit ${r.status}): ${message}`);
}

const VALID_RUBRIC = `# A workspace rubric the tests expect to load next to the built-in ones.
id: test-brevity
title: Test Brevity
summary: How short the text is, for the integration tests.
levels: [Sprawling, Loose, Even, Brief, Clipped]
criteria:
  - name: Length
    weight: 60
    levels: [Much longer than needed., Somewhat long., As long as needed., Short., As short as possible.]
  - name: Filler
    weight: 40
    levels: [Filler everywhere., Some filler., Little filler., Almost none., None at all.]
scoring: Judge words per idea.
`;

// Broken on purpose: the weights sum to 90 and there are only four level names.
const BROKEN_RUBRIC = `id: test-broken
title: Test Broken
summary: A rubric with mistakes, so the tests can check how they are reported.
levels: [One, Two, Three, Four]
criteria:
  - name: Only
    weight: 90
    levels: [a, b, c, d, e]
scoring: none
`;

/**
 * A fresh workspace: a copy of samples/ plus .cpt-writer/rubrics/ holding one valid (test-brevity) and one
 * broken (test-broken) rubric. Replaces `dir` if it exists.
 */
export function prepareWorkspace(dir, { rubrics = true } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'samples'), dir, { recursive: true });
  if (rubrics) {
    const r = path.join(dir, '.cpt-writer', 'rubrics');
    fs.mkdirSync(r, { recursive: true });
    fs.writeFileSync(path.join(r, 'test-brevity.yaml'), VALID_RUBRIC);
    fs.writeFileSync(path.join(r, 'test-broken.yaml'), BROKEN_RUBRIC);
  }
  return dir;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * A fresh run folder, .test-output/<name>. When another live run holds it (two people testing in one
 * working tree), this run gets .test-output/<name>-<pid> instead of deleting the other's files.
 */
export function freshRunDir(name) {
  let dir = path.join(ROOT, '.test-output', name);
  try {
    const owner = Number(fs.readFileSync(path.join(dir, 'run.pid'), 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) dir = `${dir}-${process.pid}`;
  } catch {
    /* no other run */
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.pid'), String(process.pid));
  return dir;
}

export function elapsed(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)}s`;
}

/**
 * The end of an in-host stage: reads the results mocha wrote to `resultFile` (none means the extension host
 * died or run() never finished: a failure), prints each failure's first line, the time and the closing
 * "N passed, N failed" line, and exits. `resultFile` null: the stage could not start (said already).
 */
export function finishHostStage(name, t0, resultFile, code) {
  let results = null;
  if (resultFile) {
    try {
      results = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    } catch {
      console.error(`${name}: the suite wrote no results file (the extension host died or run() never finished)`);
    }
  }
  for (const f of results?.failedTests ?? [])
    console.log(`  failed: ${f.title}\n    ${String(f.error).split('\n')[0]}`);
  console.log(`${name}: ${elapsed(t0)} in all`);
  console.log(results ? `${results.passes} passed, ${results.failures} failed` : '0 passed, 1 failed');
  process.exit(!results || results.failures > 0 ? code || 1 : code);
}
