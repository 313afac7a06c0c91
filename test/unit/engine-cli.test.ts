// `cpt-writer rewrite` and `cpt-writer make-test-model`, run as real processes from the tsc output.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/run-node';
import { testModels } from './helpers/test-models';

const cli = (args: string[], stdin?: string) => runCli(args, { stdin });

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('cpt-writer rewrite / make-test-model', function () {
  this.timeout(60_000);
  let dir: string;
  let tiny: string;
  const common = (model = tiny) => ['rewrite', '--model', model, '--rubric', 'formality', '--level', '4', '--threads', '1', '--gpu', 'off', '--max-tokens', '8', '--temperature', '0', '--context-size', '4096'];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-cli-'));
    ({ tiny } = await testModels());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a rewrite of a file to stdout, and of stdin the same way', async () => {
    const text = 'hey, the meeting got moved to 3pm, pls tell the others';
    const file = path.join(dir, 'note.txt');
    writeFileSync(file, text);
    const a = await cli([...common(), '--file', file, '--verbose']);
    assert.equal(a.code, 0, a.stderr);
    assert.ok(a.stdout.trim().length > 0);
    assert.match(a.stderr, /backend: cpu; layers offloaded: 0\/\d+/);
    assert.match(a.stderr, /prompt mode: rubric/); // a random-weight model is not CPT-tuned
    assert.match(a.stderr, /stats: stop maxTokens; prompt \d+ tokens \(\d+ reused\); output \d+ tokens/);
    assert.match(a.stderr, /random weights/);
    const b = await cli(common(), text);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, a.stdout);
    assert.equal(b.stderr.includes('stats:'), false, 'stats only with --verbose');
  });

  it('fails with a clear message and exit code on bad input', async () => {
    const noModel = await cli(['rewrite', '--rubric', 'formality', '--level', '2']);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /missing --model/);
    const badGpu = await cli([...common(), '--gpu', 'rocm']);
    assert.equal(badGpu.code, 2);
    assert.match(badGpu.stderr, /--gpu must be one of/);
    const missing = path.join(dir, 'missing.gguf');
    const notFound = await cli(common(missing), 'some text');
    assert.equal(notFound.code, 1);
    assert.ok(notFound.stderr.includes(`Model file not found: ${missing}`), notFound.stderr);
    const empty = await cli(common(), '   ');
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /nothing to rewrite/);
  });

  it('make-test-model writes a deterministic model, a LoRA adapter, and rejects bad options', async () => {
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    const ra = await cli(['make-test-model', a, '--layers', '1', '--embd', '32', '--heads', '2', '--ff', '64', '--seed', '11']);
    assert.equal(ra.code, 0, ra.stderr);
    const rb = await cli(['make-test-model', b, '--layers', '1', '--embd', '32', '--heads', '2', '--ff', '64', '--seed', '11']);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(sha(a), sha(b));
    const info = JSON.parse(ra.stdout) as { params: number; options: { layers: number } };
    assert.equal(info.options.layers, 1);
    assert.ok(info.params > 0);
    const lora = path.join(dir, 'lora.gguf');
    const rl = await cli(['make-test-model', lora, '--lora', '2', '--layers', '1', '--embd', '32', '--heads', '2', '--ff', '64']);
    assert.equal(rl.code, 0, rl.stderr);
    assert.equal((JSON.parse(rl.stdout) as { rank: number }).rank, 2);
    const bad = await cli(['make-test-model', path.join(dir, 'c.gguf'), '--embd', '30', '--heads', '4']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /embd \/ heads must be an even integer/);
    const badArg = await cli(['make-test-model', path.join(dir, 'c.gguf'), '--layers', 'two']);
    assert.equal(badArg.code, 2);
    assert.match(badArg.stderr, /--layers must be a whole number/);
  });
});
