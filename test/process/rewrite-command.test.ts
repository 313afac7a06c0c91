// `cpt-writer rewrite` and `cpt-writer make-test-model`, run as real processes from the tsc output.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineOptionsFrom, loraArg } from '../../src/cli/engine-args';
import { UsageError } from '../../src/cli/command';
import { runCli } from '../unit/helpers/run-node';
import { testModels } from '../unit/helpers/test-models';

const cli = (args: string[], stdin?: string) => runCli(args, { stdin });

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('cpt-writer rewrite / make-test-model', function () {
  this.timeout(60_000);
  let dir: string;
  let tiny: string;
  let tinyLora: string;
  // Each run's prompt cache in this test's folder, not the user's.
  const common = (model = tiny) => [
    'rewrite',
    '--model',
    model,
    '--rubric',
    'formality',
    '--level',
    '4',
    '--threads',
    '1',
    '--gpu',
    'off',
    '--max-tokens',
    '8',
    '--temperature',
    '0',
    '--context-size',
    '4096',
    '--prompt-cache',
    path.join(dir, 'prompt-cache'),
  ];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-cli-'));
    ({ tiny, tinyLora } = await testModels());
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

  it('keeps the evaluated prompt in --prompt-cache between runs, and --no-prompt-cache leaves it alone', async () => {
    const text = 'the same style, another text';
    const cache = path.join(dir, 'own-cache');
    const args = [...common(), '--prompt-cache', cache, '--verbose'];
    const first = await cli(args, text);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stderr.includes(`prompt cache: ${cache} (up to 1024 MiB)`), first.stderr);
    assert.doesNotMatch(first.stderr, /prompt cache: restored/);
    const saved = readdirSync(cache).filter((f) => f.endsWith('.kv'));
    assert.equal(saved.length, 1);
    const second = await cli(args, text);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /prompt cache: restored \d{4} prompt tokens/); // a rubric-mode prompt: thousands
    assert.equal(second.stdout, first.stdout);
    const off = await cli([...common().slice(0, -2), '--no-prompt-cache', '--verbose'], text);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stderr, /^prompt cache: off$/m);
    assert.equal(off.stdout, first.stdout);
    assert.deepEqual(
      readdirSync(cache).filter((f) => f.endsWith('.kv')),
      saved,
    );
  });

  it(
    'applies --lora adapters (scale 0 changes nothing), lists them with --verbose, and fails on a ' + 'broken one',
    async () => {
      const text = 'a text for the adapter';
      const plain = await cli(common(), text);
      assert.equal(plain.code, 0, plain.stderr);
      const adapted = await cli([...common(), '--lora', tinyLora, '--verbose'], text);
      assert.equal(adapted.code, 0, adapted.stderr);
      assert.notEqual(adapted.stdout, plain.stdout);
      assert.ok(
        adapted.stderr.includes(`lora: CPT Writer random-weight test model LoRA r4 (${tinyLora}), scale 1`),
        adapted.stderr,
      );
      const zero = await cli([...common(), '--lora', `${tinyLora}:0`], text);
      assert.equal(zero.code, 0, zero.stderr);
      assert.equal(zero.stdout, plain.stdout);
      const missing = path.join(dir, 'missing-lora.gguf');
      const broken = await cli([...common(), '--lora', missing], text);
      assert.equal(broken.code, 1);
      assert.equal(broken.stdout, '', 'nothing is written without the adapter that was asked for');
      assert.ok(
        broken.stderr.includes(
          `LoRA adapter ${missing} (scale 1) cannot be applied to the model ${tiny}: the file does not exist.`,
        ),
        broken.stderr,
      );
      assert.match(broken.stderr, /\[ADAPTER_FAILED\]/);
    },
  );

  it('fails with a clear message and exit code on bad input', async () => {
    const noModel = await cli(['rewrite', '--rubric', 'formality', '--level', '2']);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /missing --model/);
    const badGpu = await cli([...common(), '--gpu', 'rocm']);
    assert.equal(badGpu.code, 2);
    assert.match(badGpu.stderr, /--gpu must be one of/);
    const badLora = await cli([...common(), '--lora', 'adapter.gguf:strong']);
    assert.equal(badLora.code, 2);
    assert.match(badLora.stderr, /--lora takes PATH or PATH:SCALE with a number for SCALE, got 'adapter.gguf:strong'/);
    const both = await cli([...common(), '--no-prompt-cache']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--prompt-cache and --no-prompt-cache contradict each other/);
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
    const ra = await cli([
      'make-test-model',
      a,
      '--layers',
      '1',
      '--embd',
      '32',
      '--heads',
      '2',
      '--ff',
      '64',
      '--seed',
      '11',
    ]);
    assert.equal(ra.code, 0, ra.stderr);
    const rb = await cli([
      'make-test-model',
      b,
      '--layers',
      '1',
      '--embd',
      '32',
      '--heads',
      '2',
      '--ff',
      '64',
      '--seed',
      '11',
    ]);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(sha(a), sha(b));
    const info = JSON.parse(ra.stdout) as { params: number; options: { layers: number } };
    assert.equal(info.options.layers, 1);
    assert.ok(info.params > 0);
    const lora = path.join(dir, 'lora.gguf');
    const rl = await cli([
      'make-test-model',
      lora,
      '--lora',
      '2',
      '--layers',
      '1',
      '--embd',
      '32',
      '--heads',
      '2',
      '--ff',
      '64',
    ]);
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

describe('engine flags', () => {
  it('reads --lora PATH[:SCALE], keeping drive letters and colons in names as part of the path', () => {
    assert.deepEqual(loraArg('a.gguf'), { path: 'a.gguf', scale: 1 });
    assert.deepEqual(loraArg('/x/a.gguf:0.5'), { path: '/x/a.gguf', scale: 0.5 });
    assert.deepEqual(loraArg('a.gguf:-1'), { path: 'a.gguf', scale: -1 });
    assert.deepEqual(loraArg('C:\\adapters\\a.gguf'), { path: 'C:\\adapters\\a.gguf', scale: 1 });
    assert.deepEqual(loraArg('C:\\adapters\\a.gguf:2'), { path: 'C:\\adapters\\a.gguf', scale: 2 });
    assert.deepEqual(loraArg('my:adapter.gguf'), { path: 'my:adapter.gguf', scale: 1 });
    for (const bad of ['a.gguf:', 'a.gguf:high', '']) assert.throws(() => loraArg(bad), UsageError, bad);
  });

  it('turns the flags into engine options: prompt cache on by default, adapters in order', () => {
    const o = engineOptionsFrom({ lora: ['a.gguf', 'b.gguf:0.25'], 'prompt-cache-max-mb': '64' });
    assert.deepEqual(o.lora, [
      { path: 'a.gguf', scale: 1 },
      { path: 'b.gguf', scale: 0.25 },
    ]);
    assert.deepEqual(o.promptCache, { enabled: true, maxMB: 64 });
    assert.deepEqual(engineOptionsFrom({ 'prompt-cache': '/c' }).promptCache, { enabled: true, directory: '/c' });
    assert.deepEqual(engineOptionsFrom({ 'no-prompt-cache': true }).promptCache, { enabled: false });
    assert.throws(() => engineOptionsFrom({ 'prompt-cache-max-mb': '-1' }), UsageError);
    assert.throws(() => engineOptionsFrom({ 'prompt-cache': '' }), UsageError);
  });
});
