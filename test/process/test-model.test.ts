// The GGUF test-model writer: deterministic bytes, valid files that node-llama-cpp loads, LoRA adapters.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { TEST_MODEL_NAME, isRandomWeightTestModel } from '../../src/core/engine';
import {
  TEST_MODEL_PRESETS,
  buildVocab,
  resolveTestModelOptions,
  toF16,
  writeTestLora,
  writeTestModel,
} from '../../src/core/testmodel';
import { llamaLogs, inProcessLlama } from '../unit/helpers/llama';
import { testLora, testModel } from '../unit/helpers/test-models';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('test models (GGUF writer)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-testmodel-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same bytes for the same options and seed, different bytes for another seed', async () => {
    const a = await writeTestModel(path.join(dir, 'a.gguf'), { seed: 5 });
    const b = await writeTestModel(path.join(dir, 'b.gguf'), { seed: 5 });
    const c = await writeTestModel(path.join(dir, 'c.gguf'), { seed: 6 });
    assert.equal(sha(a.file), sha(b.file));
    assert.notEqual(sha(a.file), sha(c.file));
    assert.equal(a.bytes, readFileSync(a.file).length);
    assert.equal(a.bytes % 32, 0, 'tensor data is padded to the 32-byte alignment');
    assert.equal(readFileSync(a.file).subarray(0, 4).toString('latin1'), 'GGUF');
    assert.equal(readFileSync(a.file).readUInt32LE(4), 3, 'GGUF version 3');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.partial')),
      [],
      'no temporary file left behind',
    );
  });

  it('writes metadata and tensor shapes that node-llama-cpp reads back', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const o = { layers: 3, embd: 96, heads: 6, kvHeads: 2, ff: 160, vocab: 1000, seed: 9 };
    const w = await writeTestModel(path.join(dir, 'gqa.gguf'), o);
    const info = await readGgufFileInfo(w.file);
    const meta = info.metadata as unknown as {
      general: { name: string; architecture: string };
      llama: Record<string, unknown>;
      tokenizer: { ggml: { tokens: string[]; eos_token_id: number } };
    };
    assert.equal(meta.general.name, TEST_MODEL_NAME);
    assert.equal(meta.general.architecture, 'llama');
    assert.equal(meta.llama.block_count, 3);
    assert.equal(meta.llama.embedding_length, 96);
    assert.equal((meta.llama.attention as Record<string, unknown>).head_count_kv, 2);
    assert.equal(meta.tokenizer.ggml.tokens.length, 1000);
    assert.equal(w.vocab, 1000);
    assert.equal(meta.tokenizer.ggml.tokens[meta.tokenizer.ggml.eos_token_id], '<|im_end|>');
    const tensors = info.fullTensorInfo ?? [];
    assert.equal(tensors.length, 3 + 9 * 3);
    const k = tensors.find((t) => t.name === 'blk.0.attn_k.weight');
    assert.deepEqual(k?.dimensions.map(Number), [96, 32]); // kv dim = head dim 16 x 2 kv heads
    assert.equal(
      w.params,
      tensors.reduce((s, t) => s + t.dimensions.map(Number).reduce((a, b) => a * b, 1), 0),
    );
  });

  describe('with node-llama-cpp (1 thread)', () => {
    let llama: NodeLlamaCpp.Llama;
    let nlc: typeof NodeLlamaCpp;
    before(async () => {
      ({ nlc, llama } = await inProcessLlama());
    });

    async function greedy(model: NodeLlamaCpp.LlamaModel, lora?: string): Promise<string> {
      const context = await model.createContext({ contextSize: 512, threads: 1, ...(lora ? { lora } : {}) });
      try {
        const session = new nlc.LlamaChatSession({
          contextSequence: context.getSequence(),
          chatWrapper: new nlc.ChatMLChatWrapper(),
        });
        return await session.prompt('Rewrite: hello world', { maxTokens: 12, temperature: 0 });
      } finally {
        await context.dispose();
      }
    }

    it('loads the model and writes printable text with the ChatML template', async () => {
      const model = await llama.loadModel({ modelPath: await testModel() });
      try {
        assert.equal(model.fileInfo.metadata.general.name, TEST_MODEL_NAME);
        assert.equal(nlc.resolveChatWrapper(model).wrapperName, 'ChatML');
        const text = await greedy(model);
        assert.ok(text.length > 0);
        // Output rows of control and byte tokens are zero, so greedy decoding emits only normal pieces.
        assert.ok(!/[\u0000-\u0008\u000e-\u001f]|<\|im_|<s>|<\/s>/.test(text), JSON.stringify(text));
        assert.equal(model.detokenize(model.tokenize('Hello, wörld! 🙂')), 'Hello, wörld! 🙂');
      } finally {
        await model.dispose();
      }
    });

    it('writes a LoRA adapter that loads onto the model and changes its output', async () => {
      const model = await llama.loadModel({ modelPath: await testModel() });
      try {
        const base = await greedy(model);
        const adapted = await greedy(model, await testLora(4));
        assert.notEqual(adapted, base);
        // A model file is not an adapter: llama.cpp refuses it, so the adapter's metadata is what made it load.
        await assert.rejects(greedy(model, await testModel()));
        assert.ok(
          llamaLogs.some((l) => /general\.type to be 'adapter'/.test(l)),
          llamaLogs.join('\n'),
        );
      } finally {
        await model.dispose();
      }
    });
  });

  it('validates shapes and names the bad option', () => {
    assert.throws(() => resolveTestModelOptions({ embd: 64, heads: 5 }), /embd \/ heads/);
    assert.throws(() => resolveTestModelOptions({ heads: 4, kvHeads: 3 }), /kvHeads/);
    assert.throws(() => resolveTestModelOptions({ layers: 0 }), /layers/);
    assert.throws(() => buildVocab(10), /vocab must be an integer of at least/);
    return assert.rejects(writeTestLora(path.join(dir, 'x.gguf'), 0), /rank/);
  });

  it('pads a large vocabulary with unique printable pieces', () => {
    const v = buildVocab(32000);
    assert.equal(v.tokens.length, 32000);
    assert.equal(new Set(v.tokens).size, 32000);
    assert.ok(v.tokens.slice(1000).every((t) => /^\u2581[a-z]+$/.test(t)));
  });

  it('names its presets with realistic parameter counts', () => {
    const params = (o: (typeof TEST_MODEL_PRESETS)[keyof typeof TEST_MODEL_PRESETS]) => {
      const r = resolveTestModelOptions(o);
      const vocab = buildVocab(r.vocab).tokens.length;
      const kv = (r.embd / r.heads) * r.kvHeads;
      return (
        2 * r.embd * vocab +
        r.embd +
        r.layers * (2 * r.embd + 2 * r.embd * r.embd + 2 * r.embd * kv + 3 * r.embd * r.ff)
      );
    };
    assert.ok(Math.abs(params(TEST_MODEL_PRESETS['100m']) - 134e6) < 10e6);
    assert.ok(Math.abs(params(TEST_MODEL_PRESETS['1b']) - 1.1e9) < 0.1e9);
  });

  it('converts float32 to float16 with round-to-nearest-even', () => {
    assert.equal(toF16(0), 0);
    assert.equal(toF16(1), 0x3c00);
    assert.equal(toF16(-2), 0xc000);
    assert.equal(toF16(65504), 0x7bff);
    assert.equal(toF16(1e6), 0x7c00); // overflow -> infinity
    assert.equal(toF16(1 + 2 ** -11), 0x3c00); // a tie rounds to even
    assert.equal(toF16(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(toF16(2 ** -24), 0x0001); // smallest subnormal
  });

  it('recognises its own models by name', () => {
    assert.ok(isRandomWeightTestModel(TEST_MODEL_NAME));
    assert.ok(!isRandomWeightTestModel('Qwen3 4B CPT'));
    assert.ok(!isRandomWeightTestModel(undefined));
  });
});
