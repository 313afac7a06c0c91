// DIR/config.json: what every sample in DIR depends on. A run whose configuration differs is refused
// with the differences named, so one data set never mixes teachers, wordings or sampling.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CptError, errorMessage } from '../errors';
import { writeFileAtomic } from '../pairs/export';
import { rubricHash } from '../rubrics/hash';
import type { Rubric } from '../rubrics/types';
import type { GenerateSampling, InputKind } from './types';

export interface GenerateConfig {
  v: 1;
  kind: InputKind;
  teacher: string;
  summarize: boolean;
  temperature: number;
  maxTokens: number;
  seed: number | null;
  /** The passages' language id (texts only): it is part of every user message. */
  language: string | null;
  teacherPrompt: number;
  /** Rubric id → hash of what the teacher sees of it (everything but its directives). */
  rubrics: Record<string, string>;
}

/** A run that would mix its samples with different ones in DIR. */
export class GenerateConfigError extends CptError<'GENERATE_CONFIG'> {
  constructor(
    readonly dir: string,
    readonly reasons: string[],
  ) {
    super(
      'GENERATE_CONFIG',
      `${dir} holds samples of a different configuration, so this run would mix two data sets:\n` +
        `${reasons.map((r) => `  - ${r}`).join('\n')}\nUse another --out, or the settings those samples were made ` +
        `with.`,
    );
    this.name = 'GenerateConfigError';
  }
}

/**
 * The hash of a rubric as the teacher sees it: directives are left out, since writing them back must not orphan the
 * data.
 */
export function teacherRubricHash(rubric: Rubric): string {
  return rubricHash({ ...rubric, directives: {} });
}

export function makeConfig(o: {
  kind: InputKind;
  teacher: string;
  summarize: boolean;
  sampling: GenerateSampling;
  languageId?: string;
  teacherPrompt: number;
  rubrics: readonly Rubric[];
}): GenerateConfig {
  return {
    v: 1,
    kind: o.kind,
    teacher: o.teacher,
    summarize: o.summarize,
    temperature: o.sampling.temperature,
    maxTokens: o.sampling.maxTokens,
    seed: o.sampling.seed ?? null,
    language: o.kind === 'texts' ? (o.languageId ?? 'plaintext') : null,
    teacherPrompt: o.teacherPrompt,
    rubrics: Object.fromEntries(o.rubrics.map((r) => [r.id, teacherRubricHash(r)])),
  };
}

const FIELDS: { key: Exclude<keyof GenerateConfig, 'v' | 'rubrics'>; what: string }[] = [
  { key: 'kind', what: 'the input kind (--texts or --tasks)' },
  { key: 'teacher', what: 'the teacher' },
  { key: 'summarize', what: '--summarize' },
  { key: 'temperature', what: 'the temperature' },
  { key: 'maxTokens', what: '--max-tokens' },
  { key: 'seed', what: '--seed' },
  { key: 'language', what: '--language' },
  { key: 'teacherPrompt', what: "the teacher prompt's wording (a newer cpt-writer)" },
];

/** What differs between the stored configuration and this run's; rubrics new to the run are not a difference. */
export function configDifferences(stored: GenerateConfig, wanted: GenerateConfig): string[] {
  const reasons: string[] = [];
  for (const { key, what } of FIELDS) {
    if (stored[key] !== wanted[key])
      reasons.push(
        `${what}: the samples have ${JSON.stringify(stored[key])}, this run asks for ${JSON.stringify(wanted[key])}`,
      );
  }
  for (const [id, hash] of Object.entries(wanted.rubrics)) {
    const before = stored.rubrics[id];
    if (before !== undefined && before !== hash)
      reasons.push(
        `the rubric '${id}' changed since its samples were made (its criteria, levels, summary or scoring notes ` +
          `differ)`,
      );
  }
  return reasons;
}

function isConfig(v: unknown): v is GenerateConfig {
  const o = v as GenerateConfig;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.v === 1 &&
    typeof o.teacher === 'string' &&
    typeof o.rubrics === 'object' &&
    o.rubrics !== null
  );
}

/**
 * Checks DIR/config.json against this run (creating it on the first run, adding new rubrics later);
 * throws GenerateConfigError, before any request, when DIR holds data of another configuration. A DIR
 * with no data yet (a first run that stopped before any output) takes the new settings.
 */
export async function checkConfig(dir: string, wanted: GenerateConfig, hasSamples: boolean): Promise<void> {
  const file = path.join(dir, 'config.json');
  let text: string | undefined;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${errorMessage(err)}`);
  }
  if (text === undefined) {
    if (hasSamples)
      throw new GenerateConfigError(dir, [
        'it has samples.jsonl but no config.json, so what they were made with cannot be checked',
      ]);
    await writeFileAtomic(file, `${JSON.stringify(wanted, null, 2)}\n`);
    return;
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (err) {
    throw new GenerateConfigError(dir, [`its config.json is not valid JSON (${errorMessage(err)})`]);
  }
  if (!isConfig(stored))
    throw new GenerateConfigError(dir, ['its config.json is not a cpt-writer generate configuration']);
  const reasons = configDifferences(stored, wanted);
  if (reasons.length && !hasSamples) {
    await writeFileAtomic(file, `${JSON.stringify(wanted, null, 2)}\n`);
    return;
  }
  if (reasons.length) throw new GenerateConfigError(dir, reasons);
  const added = Object.keys(wanted.rubrics).filter((id) => !(id in stored.rubrics));
  if (added.length)
    await writeFileAtomic(
      file,
      `${JSON.stringify({ ...stored, rubrics: { ...stored.rubrics, ...wanted.rubrics } }, null, 2)}\n`,
    );
}
