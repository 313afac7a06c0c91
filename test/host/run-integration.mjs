// Integration stage: the mocha suite in test/integration runs INSIDE the extension host of a real VS Code.
// Started through @vscode/test-electron's runTests with vscodeExecutablePath = code-shim.js, which runs it
// in code-server + headless Chromium; set CPT_VSCODE_EXECUTABLE to a desktop VS Code to run it there.
// Before starting it makes a random-weight test model (CPT_WRITER_TEST_MODEL) and a fresh workspace
// (CPT_WRITER_TEST_WORKSPACE: samples/ plus one valid and one broken workspace rubric).
// Closing line: "N passed, N failed" from the results file the suite writes; no file = a failure.
import fs from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, elapsed, freshRunDir, makeTestModel, prepareWorkspace, finishHostStage } from './lib.mjs';

const t0 = Date.now();
const runDir = freshRunDir('integration');
const testsPath = path.join(ROOT, 'out', 'test', 'integration', 'index.js');
const resultFile = path.join(runDir, 'results.json');

if (!fs.existsSync(testsPath)) {
  console.error(`integration: ${path.relative(ROOT, testsPath)} is missing: build first (npm run build)`);
  finishHostStage('integration', t0, null, 1);
}

const env = { VSCODE_TEST_RESULT_FILE: resultFile, CPT_HOST_RUN_DIR: path.join(runDir, 'host') };
const workspace = prepareWorkspace(path.join(runDir, 'workspace'));
env.CPT_WRITER_TEST_WORKSPACE = workspace;
try {
  const tm = Date.now();
  env.CPT_WRITER_TEST_MODEL = await makeTestModel(path.join(runDir, 'models', 'test-model.gguf'));
  console.log(
    `integration: test model ${path.relative(ROOT, env.CPT_WRITER_TEST_MODEL)} ` +
      `(${(fs.statSync(env.CPT_WRITER_TEST_MODEL).size / 1e6).toFixed(1)} MB, ${elapsed(tm)})`,
  );
} catch (e) {
  // The suite's preflight (test/integration/preflight.ts) then fails the run, naming this.
  console.error(`integration: no test model: ${e.message}`);
}

let code = 0;
try {
  await runTests({
    vscodeExecutablePath: process.env.CPT_VSCODE_EXECUTABLE || path.join(ROOT, 'test', 'host', 'code-shim.js'),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsPath,
    launchArgs: [
      workspace,
      `--user-data-dir=${path.join(runDir, 'user-data')}`,
      `--extensions-dir=${path.join(runDir, 'extensions')}`,
      '--disable-extensions',
    ],
    extensionTestsEnv: env,
  });
} catch (e) {
  console.error(`integration: ${e.message}`);
  code = 1;
}
finishHostStage('integration', t0, resultFile, code);
