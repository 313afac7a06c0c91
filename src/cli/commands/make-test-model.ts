// `cpt-writer make-test-model OUT [...]`: write a deterministic random-weight llama GGUF (and a LoRA adapter).
import { parseArgs } from 'node:util';
import { failWith } from '../command';
import type { CliCommand } from '../command';
import {
  TEST_MODEL_PRESETS, type TestModelOptions, type TestModelPreset, writeTestLora, writeTestModel,
} from '../../core/testmodel';

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

const fail = failWith('make-test-model');

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, got '${v}'`);
  return Number(v);
}

export const makeTestModelCommand: CliCommand = {
  name: 'make-test-model',
  summary: 'write a random-weight GGUF test model (or LoRA adapter)',
  usage: USAGE,
  async run(argv) {
    let out: string;
    let options: TestModelOptions;
    let lora: number | undefined;
    try {
      const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          preset: { type: 'string' }, layers: { type: 'string' }, embd: { type: 'string' }, heads: { type: 'string' },
          'kv-heads': { type: 'string' }, ff: { type: 'string' }, vocab: { type: 'string' }, ctx: { type: 'string' },
          seed: { type: 'string' }, f32: { type: 'boolean' }, lora: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
      if (positionals.length !== 1) throw new Error(positionals.length ? `expected one OUT path, got ${positionals.length}` : 'missing OUT path');
      out = positionals[0];
      if (values.preset !== undefined && !(values.preset in TEST_MODEL_PRESETS)) throw new Error(`--preset must be one of ${PRESETS}, got '${values.preset}'`);
      const preset: TestModelOptions = values.preset ? TEST_MODEL_PRESETS[values.preset as TestModelPreset] : {};
      const given: TestModelOptions = {
        layers: int('layers', values.layers), embd: int('embd', values.embd), heads: int('heads', values.heads),
        kvHeads: int('kv-heads', values['kv-heads']), ff: int('ff', values.ff), vocab: int('vocab', values.vocab),
        ctx: int('ctx', values.ctx), seed: int('seed', values.seed), f32: values.f32,
      };
      options = { ...preset };
      for (const [k, v] of Object.entries(given)) if (v !== undefined) (options as Record<string, unknown>)[k] = v;
      lora = int('lora', values.lora);
      if (lora === 0) throw new Error('--lora must be at least 1');
    } catch (err) {
      return fail(`${(err as Error).message}\n\n${USAGE}`, 2);
    }
    const t0 = Date.now();
    try {
      const written = lora ? await writeTestLora(out, lora, options) : await writeTestModel(out, options);
      process.stdout.write(`${JSON.stringify({ ...written, ms: Date.now() - t0 })}\n`);
      return 0;
    } catch (err) {
      return fail((err as Error).message, 1);
    }
  },
};
