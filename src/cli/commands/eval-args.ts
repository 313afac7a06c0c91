// `cpt-writer eval`'s own flags: the models and adapters to evaluate (--model, --lora, --with-base), the
// prompt modes (--mode) and the best-of settings (--best-of).
import { existsSync } from 'node:fs';
import { oneOf } from '../args';
import { CliError, UsageError } from '../command';
import { fingerprintFile, type LoraAdapter } from '../../core/engine';
import { errorMessage } from '../../core/errors';
import { PROMPT_MODES, type PromptMode } from '../../core/prompts';
import { MAX_BEST_OF } from '../../core/rewrite';

export interface ModelVariant {
  spec: string;
  /** The model's own label (path as given or LABEL), before adapters. */
  modelLabel: string;
  label: string;
  lora: Array<LoraAdapter & { label: string }>;
}

/**
 * Each --model with the --lora adapters (and, with --with-base, also without them), in command-line order.
 * Two local specs naming the same content (a symlink, a copy) are one model: the second is dropped with a note.
 */
export async function modelVariants(
  models: ReadonlyArray<{ spec: string; label: string }>,
  lora: readonly LoraAdapter[],
  withBase: boolean,
): Promise<ModelVariant[]> {
  const seen = new Map<string, string>();
  const out: ModelVariant[] = [];
  const labelled = lora.map((a) => ({ ...a, label: a.path }));
  for (const m of models) {
    if (existsSync(m.spec)) {
      let fp: string;
      try {
        fp = (await fingerprintFile(m.spec)).fingerprint;
      } catch (err) {
        throw new CliError(`cannot read ${m.spec}: ${errorMessage(err)}`);
      }
      const first = seen.get(fp);
      if (first !== undefined) {
        process.stderr.write(`note: ${m.spec} is the same model as ${first} (fingerprint ${fp}): evaluated once\n`);
        continue;
      }
      seen.set(fp, m.spec);
    }
    if (withBase || !labelled.length) out.push({ spec: m.spec, modelLabel: m.label, label: m.label, lora: [] });
    if (labelled.length)
      out.push({
        spec: m.spec,
        modelLabel: m.label,
        label: [m.label, ...labelled.map((a) => a.label)].join(' + '),
        lora: labelled,
      });
  }
  return out;
}

/** --mode: one mode, `both` (directive and rubric), or a comma list of modes; each once, in the order given. */
export function modesArg(value: string | undefined): PromptMode[] {
  if (value === undefined) return ['directive'];
  const out: PromptMode[] = [];
  for (const item of value.split(',').map((m) => m.trim())) {
    const m = oneOf('mode', item, [...PROMPT_MODES, 'both'] as const)!;
    for (const mode of m === 'both' ? (['directive', 'rubric'] as const) : [m]) if (!out.includes(mode)) out.push(mode);
  }
  return out;
}

/** --best-of 1,2,4: whole numbers 1..MAX_BEST_OF, each once. */
export function bestOfArg(value: string | undefined): number[] {
  if (value === undefined) return [1];
  const out = value.split(',').map((v) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_BEST_OF))
      throw new UsageError(
        `--best-of takes whole numbers from 1 to ${MAX_BEST_OF} separated by commas, got '${value}'`,
      );
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}
