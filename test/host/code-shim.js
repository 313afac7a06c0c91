#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// runTests spawns it with desktop VS Code's arguments (--extensionDevelopmentPath=…, --extensionTestsPath=…,
// --user-data-dir=…, --extensions-dir=…, a folder to open, and Electron flags that do not apply here);
// it maps them onto code-server + headless Chromium, runs the tests inside code-server's extension host,
// and exits with their outcome, so the same suite and runner also work with a downloaded desktop VS Code.
//
// False-pass guard: code-server's workbench reports exit code 0 even when the extension host dies mid-suite,
// so the suite's run() writes mocha's stats to $VSCODE_TEST_RESULT_FILE and a missing file is a failure.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function parse(argv) {
  const opts = { dev: [], positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      opts.positional.push(a);
      continue;
    }
    const [, key, inline] = m;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'].includes(
      key,
    );
    const value = inline ?? (takesValue ? argv[++i] : undefined);
    if (key === 'extensionDevelopmentPath') opts.dev.push(value);
    else if (key === 'extensionTestsPath') opts.tests = value;
    else if (key === 'user-data-dir') opts.userDataDir = value;
    else if (key === 'extensions-dir') opts.extensionsDir = value;
    // --no-sandbox, --disable-gpu-sandbox, --disable-updates, --skip-welcome, … mean nothing to code-server
  }
  return opts;
}

async function main() {
  const lib = await import(path.join(__dirname, 'lib.mjs'));
  const opts = parse(process.argv.slice(2));
  if (!opts.tests || opts.dev.length !== 1) {
    console.error('code-shim: need --extensionTestsPath and exactly one --extensionDevelopmentPath');
    return 2;
  }
  const runDir = path.resolve(process.env.CPT_HOST_RUN_DIR || path.join(lib.ROOT, '.test-output', 'host'));
  fs.mkdirSync(runDir, { recursive: true });
  const resultFile = process.env.VSCODE_TEST_RESULT_FILE || path.join(runDir, 'results.json');
  fs.rmSync(resultFile, { force: true });
  const folder = path.resolve(opts.positional[0] || path.join(runDir, 'workspace'));
  fs.mkdirSync(folder, { recursive: true });

  const t0 = Date.now();
  const server = await lib.startServer({
    runDir,
    userDataDir: opts.userDataDir && path.resolve(opts.userDataDir),
    extensionsDir: opts.extensionsDir && path.resolve(opts.extensionsDir),
    env: { VSCODE_TEST_RESULT_FILE: resultFile, CPT_WRITER_TEST_HOST: 'code-server' },
  });
  const stopAndExit = (code) => {
    server.stop(500).finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stopAndExit(130));
  process.once('SIGTERM', () => stopAndExit(143));
  console.log(
    `code-shim: code-server on ${server.base} (${lib.elapsed(t0)}); tests ${path.relative(lib.ROOT, opts.tests)}`,
  );
  let code = 1;
  try {
    code = await lib.runInExtensionHost({
      server,
      runDir,
      folder,
      extensionDevelopmentPath: path.resolve(opts.dev[0]),
      extensionTestsPath: path.resolve(opts.tests),
      timeoutMs: Number(process.env.CPT_HOST_TIMEOUT_MS || 900_000),
      verbose: Boolean(process.env.CPT_HOST_VERBOSE),
    });
  } catch (e) {
    console.error('code-shim: harness error:', e);
  } finally {
    await server.stop();
  }
  if (!fs.existsSync(resultFile)) {
    console.error('code-shim: the suite wrote no results file: the extension host died or run() never finished');
    if (code === 0) code = 1;
  }
  console.log(`code-shim: workbench reported exit ${code} after ${lib.elapsed(t0)}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
