// `cpt-writer rewrite` under signals, as a terminal sends them: Ctrl+C reaches the CLI's whole process group
// and stops the generation cleanly (exit 130, the partial text on stdout, no crash report); killing the CLI
// leaves no engine behind; a hostile model file fails at once with the field named.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { header } from '../unit/helpers/gguf-bytes';
import { waitUntilGone } from '../unit/helpers/processes';
import { CLI_MAIN } from '../unit/helpers/run-node';
import { testModels } from '../unit/helpers/test-models';

interface CliRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** The engine process's pid, from the --verbose log, once it has started. */
  enginePid: Promise<number>;
  /** Resolves once the model's first text arrived (the --verbose log says so). */
  firstOutput: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI as a terminal would: the leader of its own process group. */
function startCli(args: string[]): CliRun {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '' } as CliRun;
  let textArrived: () => void;
  run.firstOutput = new Promise((resolve) => (textArrived = resolve));
  run.enginePid = new Promise((resolve) => {
    child.stderr!.on('data', (d) => {
      run.stderr += d;
      const m = /engine: started process (\d+)/.exec(run.stderr);
      if (m) resolve(Number(m[1]));
      if (/rewrite: the first text arrived/.test(run.stderr)) textArrived();
    });
  });
  child.stdout!.on('data', (d) => {
    run.stdout += d;
  });
  run.exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return run;
}

describe('cpt-writer under signals', function () {
  this.timeout(60_000);
  let dir: string;
  let args: string[];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-signals-'));
    const { tiny } = await testModels();
    const text = path.join(dir, 'text.txt');
    // A long text, so the budget (about twice the text's tokens) keeps the model writing while the signal lands.
    writeFileSync(text, 'hey, the meeting got moved to 3pm, pls tell the others and bring the slides. '.repeat(25));
    args = [
      'rewrite',
      '--model',
      tiny,
      '--rubric',
      'formality',
      '--level',
      '4',
      '--mode',
      'directive',
      '--file',
      text,
      '--threads',
      '1',
      '--gpu',
      'off',
      '--max-tokens',
      '4000',
      '--temperature',
      '0',
      '--context-size',
      '4096',
      '--no-prompt-cache',
      '--verbose',
    ];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'Ctrl+C to the process group mid-generation: exit 130, the partial text kept, no crash report, no ' + 'engine left',
    async () => {
      const run = startCli(args);
      const enginePid = await run.enginePid;
      await run.firstOutput;
      process.kill(-run.child.pid!, 'SIGINT');
      const { code } = await run.exit;
      assert.equal(code, 130, run.stderr.slice(-2000));
      assert.ok(run.stdout.length > 0, 'the text streamed before Ctrl+C stays on stdout');
      assert.match(run.stderr, /stats: stop aborted/);
      assert.doesNotMatch(run.stderr, /ENGINE_CRASHED|stopped unexpectedly|killed by SIGINT/);
      assert.equal(await waitUntilGone(enginePid), true, `engine ${enginePid} outlived the CLI`);
    },
  );

  for (const [signal, when] of [
    ['SIGTERM', 'mid-generation'],
    ['SIGKILL', 'while the model loads'],
  ] as const) {
    it(`${signal} to the CLI ${when} leaves no engine process`, async () => {
      const run = startCli(args);
      const enginePid = await run.enginePid;
      if (when === 'mid-generation') await run.firstOutput;
      run.child.kill(signal);
      assert.equal((await run.exit).signal, signal);
      assert.equal(await waitUntilGone(enginePid), true, `engine ${enginePid} outlived the CLI killed by ${signal}`);
    });
  }

  it('a hostile model file fails at once with the field named, and leaves no engine', async () => {
    const hostile = path.join(dir, 'hostile.gguf');
    writeFileSync(hostile, Buffer.concat([header(3, 2n ** 62n, 0), Buffer.alloc(64)]));
    const run = startCli(args.map((a, i) => (args[i - 1] === '--model' ? hostile : a)));
    const enginePid = await run.enginePid;
    const { code } = await run.exit;
    assert.equal(code, 1);
    assert.match(
      run.stderr,
      /hostile\.gguf: header claims 4611686018427387904 tensors, but the file has only 88 bytes \[NOT_GGUF\]/,
    );
    assert.equal(await waitUntilGone(enginePid), true);
  });
});
