// `cpt-writer make-test-model OUT [...]`: write a deterministic random-weight llama GGUF (and a LoRA adapter).
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { wholeNumber } from '../args';
import {
  CHAT_TEMPLATES,
  TEST_MODEL_PRESETS,
  TEST_TOKENIZERS,
  type ChatTemplateName,
  type TestModelOptions,
  type TestModelPreset,
  type TestTokenizer,
  writeTestLora,
  writeTestModel,
} from '../../core/testmodel';
import { errorMessage } from '../../core/errors';

const PRESETS = Object.keys(TEST_MODEL_PRESETS).join('|');
const USAGE = `usage: cpt-writer make-test-model OUT [--preset P] [--layers N] [--embd N] [--heads N]
       [--kv-heads N] [--ff N] [--vocab N] [--tokenizer T] [--chat C] [--ctx N] [--seed N] [--f32] [--lora R]

Writes a llama-architecture GGUF with random weights: a real model file for tests, benchmarks and GPU
checks. It writes gibberish; only its shapes, tokenizer, chat template and speed are real.
The same options give the same bytes.

  --preset P      start from a named shape: ${PRESETS}
                  tiny (default, ~166K params), small (~28M), 100m (~134M, 32k vocab),
                  1b (~1.1B, TinyLlama shapes); tiny-bpe, small-bpe, 100m-bpe: the same layers
                  with --tokenizer cl100k --chat llama3 (a Llama-3-style model)
  --tokenizer T   ${TEST_TOKENIZERS.join('|')}: byte (default) is a ~650-token byte-level
                  vocabulary, fast but ~3x the tokens of a real one on English; gpt2 (50k),
                  cl100k (100k) and o200k (200k) are real BPE vocabularies (from js-tiktoken),
                  so prompts cost what they cost on a real model
  --chat C        ${CHAT_TEMPLATES.join('|')}: the chat template and its special tokens (chatml by
                  default; llama3 needs a BPE tokenizer)
  --layers N      transformer blocks                 --embd N     embedding width
  --heads N       attention heads                    --kv-heads N grouped-query KV heads (default: heads)
  --ff N          feed-forward width                 --vocab N    vocabulary size (at least the
                                                                  tokenizer's own; more pads it)
  --ctx N         trained context length (4096)      --seed N     random seed (42)
  --f32           all tensors f32 (default: f16 matrices, f32 norms)
  --lora R        write a rank-R LoRA adapter for this shape instead of the model
  -h, --help      show this help`;

export const makeTestModelCommand = defineCommand({
  name: 'make-test-model',
  summary: 'write a random-weight GGUF test model (or LoRA adapter)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        preset: { type: 'string' },
        layers: { type: 'string' },
        embd: { type: 'string' },
        heads: { type: 'string' },
        'kv-heads': { type: 'string' },
        ff: { type: 'string' },
        vocab: { type: 'string' },
        ctx: { type: 'string' },
        seed: { type: 'string' },
        f32: { type: 'boolean' },
        lora: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        tokenizer: { type: 'string' },
        chat: { type: 'string' },
      },
    });
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length ? `expected one OUT path, got ${positionals.length}` : 'missing OUT path',
      );
    const out = positionals[0];
    if (values.preset !== undefined && !(values.preset in TEST_MODEL_PRESETS))
      throw new UsageError(`--preset must be one of ${PRESETS}, got '${values.preset}'`);
    const preset: TestModelOptions = values.preset ? TEST_MODEL_PRESETS[values.preset as TestModelPreset] : {};
    const given: TestModelOptions = {
      layers: wholeNumber('layers', values.layers),
      embd: wholeNumber('embd', values.embd),
      heads: wholeNumber('heads', values.heads),
      kvHeads: wholeNumber('kv-heads', values['kv-heads']),
      ff: wholeNumber('ff', values.ff),
      vocab: wholeNumber('vocab', values.vocab),
      ctx: wholeNumber('ctx', values.ctx),
      seed: wholeNumber('seed', values.seed),
      f32: values.f32,
    };
    if (values.tokenizer !== undefined && !TEST_TOKENIZERS.includes(values.tokenizer as TestTokenizer)) {
      throw new UsageError(`--tokenizer must be one of ${TEST_TOKENIZERS.join('|')}, got '${values.tokenizer}'`);
    }
    if (values.chat !== undefined && !CHAT_TEMPLATES.includes(values.chat as ChatTemplateName)) {
      throw new UsageError(`--chat must be one of ${CHAT_TEMPLATES.join('|')}, got '${values.chat}'`);
    }
    given.tokenizer = values.tokenizer as TestTokenizer | undefined;
    given.chatTemplate = values.chat as ChatTemplateName | undefined;
    const options: TestModelOptions = { ...preset };
    // A preset's padded vocabulary size belongs to its byte tokenizer; a BPE tokenizer brings its own.
    if (given.tokenizer && given.tokenizer !== 'byte' && given.vocab === undefined) delete options.vocab;
    for (const [k, v] of Object.entries(given)) if (v !== undefined) (options as Record<string, unknown>)[k] = v;
    if (options.tokenizer === 'byte' && values.chat === undefined) delete options.chatTemplate;
    const lora = wholeNumber('lora', values.lora, 1);
    const t0 = Date.now();
    try {
      const written = lora ? await writeTestLora(out, lora, options) : await writeTestModel(out, options);
      process.stdout.write(`${JSON.stringify({ ...written, ms: Date.now() - t0 })}\n`);
      return 0;
    } catch (err) {
      throw new CliError(errorMessage(err));
    }
  },
});
