// Untrusted stage: the mocha suite in test/untrusted runs inside code-server's extension host with workspace
// trust ON (the integration stage runs with it off), on a fresh workspace VS Code has never trusted, so the
// window is in Restricted Mode. That workspace's .vscode/settings.json points cptWriter.judgeModel at an
// https server on 127.0.0.1 that this script runs and that logs every connection and request to a file the
// suite reads; the suite checks that nothing reaches it, that the workspace values are ignored and said so.
// The model is set at user level, as a writer who cloned a repository would have it.
// Closing line: "N passed, N failed" from the results file the suite writes; no file = a failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {
  ROOT,
  elapsed,
  freshRunDir,
  makeTestModel,
  prepareWorkspace,
  runInExtensionHost,
  startServer,
  finishHostStage,
} from './lib.mjs';

const t0 = Date.now();
const runDir = freshRunDir('untrusted');
const testsPath = path.join(ROOT, 'out', 'test', 'untrusted', 'index.js');
const resultFile = path.join(runDir, 'results.json');

if (!fs.existsSync(testsPath)) {
  console.error(`untrusted: ${path.relative(ROOT, testsPath)} is missing: build first (npm run build)`);
  finishHostStage('untrusted', t0, null, 1);
}

/** A self-signed certificate for 127.0.0.1; the engine process trusts it through NODE_EXTRA_CA_CERTS. */
function loopbackCert(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert), certFile: cert };
}

// The "judge model" server: every TCP connection and every request is one JSON line in its log (written
// at once, so the suite can poll it); requests get a 404, so a download that gets this far fails fast.
const tls = loopbackCert(runDir);
const serverLog = path.join(runDir, 'judge-server.jsonl');
fs.writeFileSync(serverLog, '');
const judgeServer = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
  fs.appendFileSync(serverLog, JSON.stringify({ event: 'request', method: req.method, url: req.url }) + '\n');
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('no such model');
});
judgeServer.on('connection', () => fs.appendFileSync(serverLog, JSON.stringify({ event: 'connection' }) + '\n'));
await new Promise((resolve) => judgeServer.listen(0, '127.0.0.1', resolve));
const judgeUrl = `https://127.0.0.1:${judgeServer.address().port}/judge.gguf`;

const workspace = prepareWorkspace(path.join(runDir, 'workspace'));
const workspaceSettings = {
  'cptWriter.judgeModel': judgeUrl,
  'cptWriter.bestOf': 4,
  'cptWriter.maxTokens': 7,
  'cptWriter.contextSize': 640,
  // Not restricted: VS Code applies it even here, which shows the file was read.
  'cptWriter.unloadAfterMinutes': 30,
};
fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));

const env = {
  VSCODE_TEST_RESULT_FILE: resultFile,
  CPT_WRITER_TEST_HOST: 'code-server',
  CPT_WRITER_TEST_WORKSPACE: workspace,
  CPT_WRITER_TRUST_SERVER_LOG: serverLog,
  CPT_WRITER_TRUST_JUDGE_URL: judgeUrl,
  CPT_WRITER_TRUST_WORKSPACE_SETTINGS: JSON.stringify(workspaceSettings),
  NODE_EXTRA_CA_CERTS: tls.certFile,
};
const hostDir = path.join(runDir, 'host');
const userDataDir = path.join(hostDir, 'user-data');
env.CPT_WRITER_TEST_LOGS = path.join(userDataDir, 'logs');
try {
  const tm = Date.now();
  env.CPT_WRITER_TEST_MODEL = await makeTestModel(path.join(runDir, 'models', 'test-model.gguf'));
  console.log(`untrusted: test model ${path.relative(ROOT, env.CPT_WRITER_TEST_MODEL)} (${elapsed(tm)})`);
} catch (e) {
  // The suite's preflight then fails the run, naming this.
  console.error(`untrusted: no test model: ${e.message}`);
}

let code = 1;
let server;
try {
  // The model at user level (startServer writes the Machine file too: the setting is machine-scoped).
  const settings = env.CPT_WRITER_TEST_MODEL ? { 'cptWriter.model': env.CPT_WRITER_TEST_MODEL } : {};
  server = await startServer({ runDir: hostDir, userDataDir, workspaceTrust: true, settings, env });
  console.log(`untrusted: code-server on ${server.base} with workspace trust on (${elapsed(t0)})`);
  code = await runInExtensionHost({
    server,
    runDir: hostDir,
    folder: workspace,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsPath,
    timeoutMs: Number(process.env.CPT_HOST_TIMEOUT_MS || 600_000),
    verbose: Boolean(process.env.CPT_HOST_VERBOSE),
  });
} catch (e) {
  console.error('untrusted: harness error:', e);
} finally {
  await server?.stop();
  judgeServer.closeAllConnections();
  await new Promise((resolve) => judgeServer.close(resolve));
}
finishHostStage('untrusted', t0, resultFile, code);
