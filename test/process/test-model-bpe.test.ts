// Test models with a real BPE tokenizer and chat template: node-llama-cpp loads them, tokenizes English
// exactly as the tokenizer package itself does, round-trips text, and picks the intended chat wrapper.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { EngineClient } from '../../src/core/engine';
import { loadRubrics } from '../../src/core/rubrics';
import { rewritePrompt, rewritePromptPrefix } from '../../src/core/rewrite';
import { TEST_MODEL_PRESETS, buildBpeVocab, resolveTestModelOptions } from '../../src/core/testmodel';
import { byteToUnicode, loadTiktokenRanks, mergesFromRanks, tiktokenTokens } from '../../src/core/testmodel/bpe-vocab';
import { inProcessLlama } from '../unit/helpers/llama';
import { testEngineOptions, testModel } from '../unit/helpers/test-models';

interface Encoder {
  encode(text: string): number[];
}
/** js-tiktoken's own encoder for the same rank table: the reference the model's tokenizer must match. */
function referenceEncoder(name: 'cl100k' | 'gpt2'): Encoder {
  const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Encoder };
  return new Tiktoken(loadTiktokenRanks(name));
}

const ENGLISH = [
  'The quick brown fox jumps over the lazy dog.',
  "hey so the meeting got moved to thursday, can u bring the slides? also don't forget the numbers from " +
    'last quarter (3,141 of them)!',
  'Our water bill doubled this month.\n\nCould you check whether the meter was read right, or whether ' +
    'there is a leak somewhere?',
];

describe('test models with a real BPE tokenizer', function () {
  this.timeout(120_000);
  let nlc: typeof NodeLlamaCpp;
  let llama: NodeLlamaCpp.Llama;
  before(async () => {
    ({ nlc, llama } = await inProcessLlama());
  });

  it('recovers one merge per multi-byte token from a rank table', () => {
    // a, b, c, then "ab" (rank 3), "abc" (rank 4), "bc" (rank 5): "abc" is made from "ab" + "c", since
    // "bc" ranks after it.
    assert.deepEqual(mergesFromRanks(['a', 'b', 'c', 'ab', 'abc', 'bc']), [
      ['a', 'b'],
      ['ab', 'c'],
      ['b', 'c'],
    ]);
    const cl100k = tiktokenTokens(loadTiktokenRanks('cl100k'));
    const merges = mergesFromRanks(cl100k);
    // Every multi-byte token has exactly one merge.
    assert.equal(merges.length, cl100k.filter((t) => t !== undefined && t.length > 1).length);
    const map = byteToUnicode();
    assert.equal(new Set(map).size, 256);
    assert.equal(map[0x20], '\u0120'); // GPT-2's "Ġ" for a space
  });

  it(
    "loads, tokenizes English to the tokenizer package's own tokens, and round-trips text (cl100k, " +
      'Llama 3 template)',
    async () => {
      const model = await llama.loadModel({ modelPath: await testModel(TEST_MODEL_PRESETS['tiny-bpe']) });
      try {
        const ref = referenceEncoder('cl100k');
        for (const s of ENGLISH) assert.deepEqual(model.tokenize(s), ref.encode(s), s);
        // A whole rubric-mode system prompt, as the extension sends it: real-model token counts.
        const { rubrics } = await loadRubrics({ includeBuiltin: true });
        const formality = rubrics.find((r) => r.id === 'formality');
        assert.ok(formality);
        const prompt = rewritePrompt(ENGLISH[1], { rubric: formality, level: 3 }, 'rubric', 'plaintext');
        for (const s of [prompt.system, prompt.user]) assert.equal(model.tokenize(s).length, ref.encode(s).length);
        assert.ok(
          model.tokenize(prompt.system).length < prompt.system.length / 3,
          'about four characters a token, as real English BPE gives',
        );
        for (const s of [
          ...ENGLISH,
          'Grüße, wörld! 🙂 — naïve café, 東京, tabs\tand\r\nCRLF',
          readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8').slice(0, 3000),
        ]) {
          assert.equal(model.detokenize(model.tokenize(s)), s);
        }
        assert.equal(nlc.resolveChatWrapper(model)?.wrapperName, 'Llama 3');
        assert.equal(model.detokenize([model.tokens.bos!], true), '<|begin_of_text|>');
        assert.equal(model.detokenize([model.tokens.eos!], true), '<|eot_id|>');
      } finally {
        await model.dispose();
      }
    },
  );

  it("gives GPT-2's tokens and a ChatML wrapper with the gpt2 tokenizer", async () => {
    const model = await llama.loadModel({ modelPath: await testModel({ tokenizer: 'gpt2', chatTemplate: 'chatml' }) });
    try {
      const ref = referenceEncoder('gpt2');
      for (const s of ENGLISH) assert.deepEqual(model.tokenize(s), ref.encode(s), s);
      assert.equal(nlc.resolveChatWrapper(model)?.wrapperName, 'ChatML');
      assert.equal(model.detokenize([model.tokens.eos!], true), '<|im_end|>');
    } finally {
      await model.dispose();
    }
  });

  it('rewrites through the engine with a prewarmed prefix, writing no control tokens', async () => {
    const engine = new EngineClient(testEngineOptions({ contextSize: 2048 }));
    try {
      await engine.load(await testModel(TEST_MODEL_PRESETS['tiny-bpe']));
      const { rubrics } = await loadRubrics({ includeBuiltin: true });
      const style = { rubric: rubrics.find((r) => r.id === 'formality')!, level: 3 as const };
      const prefix = rewritePromptPrefix(style, 'rubric', 'plaintext');
      const pre = await engine.prewarm(prefix.system, { userPrefix: prefix.userPrefix });
      const prompt = rewritePrompt(ENGLISH[0], style, 'rubric', 'plaintext');
      const res = await engine.generate({ system: prompt.system, user: prompt.user, maxTokens: 12, temperature: 0 });
      const ref = referenceEncoder('cl100k');
      const textTokens = ref.encode(prompt.system).length + ref.encode(prompt.user).length;
      // The Llama 3 format adds BOS and three headers (~12 tokens) around the two messages.
      assert.ok(
        res.promptTokens > textTokens && res.promptTokens < textTokens + 20,
        `${res.promptTokens} vs ${textTokens}`,
      );
      assert.equal(res.reusedPromptTokens, pre.tokens, 'the prewarmed system prompt and instruction were reused');
      assert.ok(res.outputTokens > 0 && res.text.length > 0);
      assert.ok(!/<\|[a-z_]+\|>/.test(res.text), JSON.stringify(res.text));
    } finally {
      await engine.dispose();
    }
  });

  it('pads to a larger vocabulary with reserved tokens and refuses impossible combinations', () => {
    const v = buildBpeVocab('gpt2', 'chatml', 50300);
    assert.equal(v.tokens.length, 50300);
    assert.equal(new Set(v.tokens).size, 50300);
    assert.match(v.tokens[50299], /^<\|reserved_special_token_\d+\|>$/);
    assert.throws(() => buildBpeVocab('gpt2', 'chatml', 1000), /vocab must be an integer of at least 50259/);
    assert.throws(() => resolveTestModelOptions({ chatTemplate: 'llama3' }), /byte tokenizer has only the chatml/);
    assert.throws(() => resolveTestModelOptions({ tokenizer: 'bert' as never }), /tokenizer must be one of/);
  });
});
