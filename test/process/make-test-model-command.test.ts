// `cpt-writer make-test-model --tokenizer/--chat`: a real BPE vocabulary and chat template from the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../unit/helpers/run-node';

describe('cpt-writer make-test-model --tokenizer', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-cli-bpe-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a model with a real BPE vocabulary from a preset or flags, and rejects unknown names', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const a = path.join(dir, 'a.gguf');
    const ra = await runCli([
      'make-test-model',
      a,
      '--preset',
      '100m',
      '--layers',
      '1',
      '--embd',
      '32',
      '--heads',
      '2',
      '--ff',
      '64',
      '--tokenizer',
      'gpt2',
    ]);
    assert.equal(ra.code, 0, ra.stderr);
    const written = JSON.parse(ra.stdout) as { vocab: number; options: { tokenizer: string; chatTemplate: string } };
    // The preset's 32k byte-vocabulary size gave way to GPT-2's own 50,257 tokens plus the ChatML pair.
    assert.equal(written.vocab, 50259);
    assert.deepEqual([written.options.tokenizer, written.options.chatTemplate], ['gpt2', 'chatml']);
    const meta = (await readGgufFileInfo(a)).metadata as unknown as {
      tokenizer: { ggml: { model: string; pre: string; merges: string[] }; chat_template: string };
    };
    assert.equal(meta.tokenizer.ggml.model, 'gpt2');
    assert.equal(meta.tokenizer.ggml.pre, 'gpt-2');
    assert.equal(meta.tokenizer.ggml.merges.length, 50000);
    assert.match(meta.tokenizer.chat_template, /<\|im_start\|>/);

    const b = path.join(dir, 'b.gguf');
    const rb = await runCli(['make-test-model', b, '--preset', 'tiny-bpe', '--layers', '1']);
    assert.equal(rb.code, 0, rb.stderr);
    assert.deepEqual(
      (JSON.parse(rb.stdout) as { options: { tokenizer: string; chatTemplate: string } }).options.chatTemplate,
      'llama3',
    );

    const bad = await runCli(['make-test-model', path.join(dir, 'c.gguf'), '--tokenizer', 'bert']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tokenizer must be one of byte\|gpt2\|cl100k\|o200k/);
    const badChat = await runCli(['make-test-model', path.join(dir, 'c.gguf'), '--chat', 'llama3']);
    assert.equal(badChat.code, 1);
    assert.match(badChat.stderr, /byte tokenizer has only the chatml/);
  });
});
