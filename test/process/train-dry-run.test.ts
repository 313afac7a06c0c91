// train/train_dpo.py --dry-run (standard library only) on the pairs our own CLI writes, and on broken files.
// The training half needs TRL and a GPU and is not run here (README, "Train your own CPT model").
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturesDir } from '../fixtures/feedback/events';
import { runCli, type NodeRun } from '../unit/helpers/run-node';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'train', 'train_dpo.py');

function python(args: string[]): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SCRIPT, ...args], { timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const row = (system: string, user: string, chosen: string, rejected: string) => ({
  prompt: [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ],
  chosen: [{ role: 'assistant', content: chosen }],
  rejected: [{ role: 'assistant', content: rejected }],
  source: 'edit',
  rubric: 'formality',
  level: 4,
});

describe('train/train_dpo.py --dry-run', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-train-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("accepts the pairs `cpt-writer pairs` builds and prints the paper's settings", async () => {
    const out = path.join(dir, 'pairs.jsonl');
    const built = await runCli(['pairs', path.join(fixturesDir, 'sample.jsonl'), '--out', out]);
    assert.equal(built.code, 0, built.stderr);
    const run = await python([out, '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^4 pair\(s\)$/m);
    const config = JSON.parse(run.stdout.slice(run.stdout.indexOf('config: ') + 8, run.stdout.indexOf('\n}\n') + 2));
    assert.deepEqual(config.dpo, {
      learning_rate: 5e-5,
      beta: 0.1,
      num_train_epochs: 1,
      per_device_train_batch_size: 1,
      gradient_accumulation_steps: 4,
      warmup_ratio: 0.1,
      max_prompt_length: 256,
      max_length: 2048,
      seed: 42,
    });
    assert.equal(config.lora.r, 16);
    assert.equal(config.lora.lora_alpha, 16);
    assert.equal(config.lora.lora_dropout, 0);
    assert.deepEqual(config.lora.target_modules, [
      'q_proj',
      'k_proj',
      'v_proj',
      'o_proj',
      'gate_proj',
      'up_proj',
      'down_proj',
    ]);
    assert.match(run.stdout, /nothing was trained/);
  });

  it('rejects broken lines with file:line and exits 1', async () => {
    const file = path.join(dir, 'broken.jsonl');
    const lines = [
      JSON.stringify(row('Write formally.', 'Rewrite: hi', 'Good day.', 'hey')),
      JSON.stringify({ ...row('x', 'Rewrite: hi', 'Good day.', 'hey'), prompt: [{ role: 'user', content: 'hi' }] }),
      JSON.stringify(row('Write formally.', 'Rewrite: hi', 'Same text.', 'Same text.')),
      JSON.stringify(row('Write formally.', 'Rewrite: hi', '', 'hey')),
      '{"prompt": [',
      JSON.stringify({ ...row('Write formally.', 'Rewrite: hi', 'a', 'b'), chosen: 'a' }),
    ];
    await fs.writeFile(file, lines.join('\n') + '\n');
    const run = await python([file, '--dry-run']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.jsonl:2: prompt must be a list of messages/);
    assert.match(run.stderr, /broken\.jsonl:3: chosen and rejected are the same text/);
    assert.match(run.stderr, /broken\.jsonl:4: chosen\[0\]\.content is empty/);
    assert.match(run.stderr, /broken\.jsonl:5: not JSON/);
    assert.match(run.stderr, /broken\.jsonl:6: chosen must be a list of exactly one assistant message/);
    assert.doesNotMatch(run.stderr, /broken\.jsonl:1:/);
    assert.match(run.stderr, /5 problem\(s\)/);
  });

  it('warns where a prompt is longer than max_prompt_length, and still passes', async () => {
    const file = path.join(dir, 'long.jsonl');
    const long = 'word '.repeat(400);
    await fs.writeFile(file, JSON.stringify(row('Write formally.', long, 'Good day.', 'hey')) + '\n');
    const run = await python([file, '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /long\.jsonl:1: prompt ~\d+ tokens, over max_prompt_length 256/);
    const wider = await python([file, '--dry-run', '--max-prompt-length', '1024']);
    assert.equal(wider.code, 0);
    assert.doesNotMatch(wider.stderr, /over max_prompt_length/);
  });

  it('says so for an empty file and a missing one, and needs --base to train', async () => {
    const empty = path.join(dir, 'empty.jsonl');
    await fs.writeFile(empty, '');
    const none = await python([empty, '--dry-run']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no pairs in .*empty\.jsonl/);
    const missing = await python([path.join(dir, 'nope.jsonl'), '--dry-run']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl: cannot read/);
    const noBase = await python([empty]);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /--base is required/);
  });
});
