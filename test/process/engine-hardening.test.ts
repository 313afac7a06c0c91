// The engine against hostile model files, loads that never finish, and parents that go away: it fails
// with a clear error, is stopped when it must be, and never outlives what started it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, EngineError } from '../../src/core/engine';
import { T, header, str, u32, u64 } from '../unit/helpers/gguf-bytes';
import { isRunning, waitUntilGone } from '../unit/helpers/processes';
import { testEngineOptions, testModels, type TestModelPaths } from '../unit/helpers/test-models';

const BIG = 2n ** 62n;
const ENGINE_INDEX = path.resolve(__dirname, '../../src/core/engine/index.js');
const PARENT_WATCH = path.resolve(__dirname, '../../src/core/engine/parent-watch.js');

async function rejectsWith(p: Promise<unknown>, code: EngineError['code'], pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

/** Runs `script` in a Node process that prints lines; resolves with the process once `ready` matches a line. */
function startScript(
  script: string,
  ready: RegExp,
): Promise<{ pid: number; match: RegExpExecArray; kill(signal: NodeJS.Signals): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ pid: child.pid!, match: m, kill: (s) => child.kill(s) });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the script exited (${code}) before it was ready: ${out}`)));
  });
}

/** Starts the engine process cheaply: refusing a file that is not GGUF needs no llama.cpp. */
async function startProcess(engine: EngineClient): Promise<void> {
  const { notGguf } = await testModels();
  await rejectsWith(engine.load(notGguf), 'NOT_GGUF');
}

describe('engine hardening: hostile files, stuck loads, parents that go away', function () {
  this.timeout(60_000);
  let models: TestModelPaths;
  let dir: string;
  let engine: EngineClient;

  before(async () => {
    models = await testModels();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-hard-'));
    engine = new EngineClient(testEngineOptions());
  });
  after(async () => {
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'refuses hostile and broken GGUF headers with the field named, then still loads a good model; ' +
      'dispose leaves no process',
    async () => {
      const crashes: string[] = [];
      engine.onCrash((r) => crashes.push(r));
      const file = (name: string, bytes: Buffer) => {
        const f = path.join(dir, name);
        writeFileSync(f, bytes);
        return f;
      };
      const pad88 = (b: Buffer) => Buffer.concat([b, Buffer.alloc(88 - b.length)]);
      const cases: Array<[string, RegExp]> = [
        [
          file('kv.gguf', pad88(header(3, 0, BIG))),
          /header claims 4611686018427387904 metadata key-values, but the file has only 88 bytes/,
        ],
        [
          file('tensors.gguf', pad88(header(3, BIG, 0))),
          /header claims 4611686018427387904 tensors, but the file has only 88 bytes/,
        ],
        [
          file('string.gguf', pad88(Buffer.concat([header(3, 0, 1), str('general.name'), u32(T.STRING), u64(BIG)]))),
          /"general\.name"\) claims to be 4611686018427387904 bytes long/,
        ],
        [
          file('magic.gguf', Buffer.from('GGUF', 'latin1')),
          /magic\.gguf: the file ends at byte 4, inside the GGUF version/,
        ],
        [
          file('truncated.gguf', header(3, 2, 3).subarray(0, 20)),
          /the file ends at byte 20, inside the metadata key-value count/,
        ],
      ];
      for (const [f, pattern] of cases) await rejectsWith(engine.load(f), 'NOT_GGUF', pattern);
      const pid = engine.pid;
      assert.ok(pid && isRunning(pid), 'the engine process lives on after refusing a file');
      const info = await engine.load(models.tiny);
      assert.equal(info.file, models.tiny);
      assert.equal(engine.pid, pid);
      assert.deepEqual(crashes, []);
      await engine.dispose();
      assert.equal(await waitUntilGone(pid), true, `engine process ${pid} is gone after dispose`);
      engine = new EngineClient(testEngineOptions());
    },
  );

  it(
    'stops a load that gets nowhere for loadTimeoutMs: the process is killed, no crash is reported, ' +
      'and the next call starts a fresh one',
    async () => {
      // The client reads its options at each call: the short limit applies only to the load under test, not
      // to starting a process, which can take longer than that on a busy machine.
      const options = testEngineOptions();
      const stuck = new EngineClient(options);
      const crashes: string[] = [];
      stuck.onCrash((r) => crashes.push(r));
      try {
        await startProcess(stuck);
        options.loadTimeoutMs = 400;
        const pid = stuck.pid!;
        // A stopped process answers nothing, as a load stuck in native code would not.
        process.kill(pid, 'SIGSTOP');
        await rejectsWith(
          stuck.load(models.tiny),
          'MODEL_LOAD_FAILED',
          /got nowhere for 400 ms .* so the engine was stopped/,
        );
        assert.equal(await waitUntilGone(pid), true, `the stuck engine ${pid} was killed`);
        assert.deepEqual(crashes, []);
        options.loadTimeoutMs = undefined;
        await startProcess(stuck);
        assert.ok(stuck.pid && stuck.pid !== pid && isRunning(stuck.pid));
      } finally {
        await stuck.dispose();
      }
    },
  );

  it('kills a load that does not stop after a cancel, and reports CANCELLED, not a crash', async () => {
    const stuck = new EngineClient(testEngineOptions());
    const crashes: string[] = [];
    stuck.onCrash((r) => crashes.push(r));
    try {
      await startProcess(stuck);
      const pid = stuck.pid!;
      process.kill(pid, 'SIGSTOP');
      const ac = new AbortController();
      const loading = stuck.load(models.tiny, { signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      await rejectsWith(loading, 'CANCELLED', /cancelled/);
      assert.equal(await waitUntilGone(pid), true);
      assert.deepEqual(crashes, []);
    } finally {
      await stuck.dispose();
    }
  });

  it('the engine exits when the process that started it is killed (own process group or not)', async () => {
    for (const detached of [false, true]) {
      const parent = await startScript(
        `
        const { EngineClient } = require(${JSON.stringify(ENGINE_INDEX)});
        const engine = new EngineClient({ gpu: 'off', threads: 1, detached: ${detached} });
        engine.load(${JSON.stringify(models.notGguf)}).catch(() => console.log('engine ' + engine.pid));
        setInterval(() => {}, 1000);
      `,
        /engine (\d+)/,
      );
      const enginePid = Number(parent.match[1]);
      assert.ok(isRunning(enginePid));
      parent.kill('SIGKILL');
      assert.equal(
        await waitUntilGone(enginePid),
        true,
        `engine ${enginePid} outlived its killed parent (detached: ${detached})`,
      );
    }
  });

  it('a process whose main thread is stuck still exits when its parent goes away (the watcher thread)', async () => {
    // The grandchild watches its parent, then spins forever on its main thread, as a parser stuck in a loop would.
    const child = `
      require(${JSON.stringify(PARENT_WATCH)}).watchParent({ intervalMs: 50, graceMs: 100 });
      console.log('spinning');
      for (;;) {}
    `;
    const parent = await startScript(
      `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d) => { if (String(d).includes('spinning')) console.log('child ' + c.pid); });
      setInterval(() => {}, 1000);
    `,
      /child (\d+)/,
    );
    const spinner = Number(parent.match[1]);
    assert.ok(isRunning(spinner));
    parent.kill('SIGKILL');
    assert.equal(await waitUntilGone(spinner), true, `the spinning process ${spinner} outlived its parent`);
  });
});
