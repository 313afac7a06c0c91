// `cpt-writer make-test-model OUT [...]`: write a deterministic random-weight llama GGUF (and a LoRA adapter).
import { parseArgs } from 'node:util';
import { CliError, UsageError, defineCommand } from '../command';
import { wholeNumber } from '../args';
import {
  TEST_MODEL_PRESETS, type TestModelOptions, type TestModelPreset, writeTestLora, writeTestModel,
} from '../../core/testmodel';
import { errorMessage } from '../../core/errors';

const PRESETS = Object.keys(TEST_MODEL_PRESETS).join('|');
const USAGE = `usage: cpt-writer make-test-model OUT [--preset ${PRESETS}] [--layers N] [--embd N] [--heads N]
       [--kv-heads N] [--ff N] [--vocab N] [--ctx N] [--seed N] [--f32] [--lora R]

Writes a llama-architecture GGUF with random weights: a real model file for tests, benchmarks and GPU
checks. It writes gibberish; only its shapes, tokenizer (byte-level SPM, ChatML) and speed are real.
The same options give the same bytes.

  --preset P      start from a named shape: tiny (default, ~166K params), small (~28M),
                  100m (~134M, 32k vocab), 1b (~1.1B, TinyLlama shapes)
  --layers N      transformer blocks                 --embd N     embedding width
  --heads N       attention heads                    --kv-heads N grouped-query KV heads (default: heads)
  --ff N          feed-forward width                 --vocab N    vocabulary size (at least ~650)
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
        preset: { type: 'string' }, layers: { type: 'string' }, embd: { type: 'string' }, heads: { type: 'string' },
        'kv-heads': { type: 'string' }, ff: { type: 'string' }, vocab: { type: 'string' }, ctx: { type: 'string' },
        seed: { type: 'string' }, f32: { type: 'boolean' }, lora: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one OUT path, got ${positionals.length}` : 'missing OUT path');
    const out = positionals[0];
    if (values.preset !== undefined && !(values.preset in TEST_MODEL_PRESETS)) throw new UsageError(`--preset must be one of ${PRESETS}, got '${values.preset}'`);
    const preset: TestModelOptions = values.preset ? TEST_MODEL_PRESETS[values.preset as TestModelPreset] : {};
    const given: TestModelOptions = {
      layers: wholeNumber('layers', values.layers), embd: wholeNumber('embd', values.embd), heads: wholeNumber('heads', values.heads),
      kvHeads: wholeNumber('kv-heads', values['kv-heads']), ff: wholeNumber('ff', values.ff), vocab: wholeNumber('vocab', values.vocab),
      ctx: wholeNumber('ctx', values.ctx), seed: wholeNumber('seed', values.seed), f32: values.f32,
    };
    const options: TestModelOptions = { ...preset };
    for (const [k, v] of Object.entries(given)) if (v !== undefined) (options as Record<string, unknown>)[k] = v;
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
