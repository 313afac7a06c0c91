// The dataset card (README.md beside a pairs file) that `cpt-writer generate` and `cpt-writer pairs --card`
// write: a YAML header a dataset hub reads (the files of each split, the license field, the task category)
// and a body a reader can trust (how the pairs were made, which models with content fingerprints, counts per
// rubric × level, what was truncated or skipped). Each command supplies its own facts; the shape is one.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FeedbackEvent, RewriteEvent } from '../feedback/types';
import { writeFileAtomic } from './export';
import type { LogReadSummary } from './report';
import { PAIR_SOURCES, type PairsResult, type PreferencePair } from './types';

export type CardWriter = 'generate' | 'pairs';

/** Marks a README.md as a card a command wrote, so a rerun replaces it and never a README the writer wrote. */
export function datasetCardMark(writer: CardWriter): string {
  return `<!-- written by cpt-writer ${writer}: replaced on each run -->`;
}

/** Where the card of a pairs file goes: README.md beside it, where a dataset hub looks for it. */
export function datasetCardPath(pairsFile: string): string {
  return path.join(path.dirname(pairsFile), 'README.md');
}

/** Whether `text` is a card one of our commands wrote (either command may replace the other's). */
export function isDatasetCard(text: string): boolean {
  return /<!-- written by cpt-writer (generate|pairs): replaced on each run -->/.test(text);
}

export interface DatasetCard {
  writer: CardWriter;
  /** File names relative to the card: the pairs of each split. */
  splits: { train: string; test?: string };
  title: string;
  /** Paragraphs after the title: how the pairs were made. */
  intro: string[];
  /** The bullet list: counts, models, prompt mode, truncated and skipped (each line without its "- "). */
  facts: string[];
  /** Per rubric × level counts: the column names after "rubric" and "level", and a row of cells each. */
  table: { columns: string[]; rows: ReadonlyArray<{ rubric: string; level: number; cells: ReadonlyArray<number> }> };
}

const yamlString = (s: string) => JSON.stringify(s);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function formatCard(c: DatasetCard): string {
  return [
    '---',
    // Every source text's license is the writer's to state: "other" until they set it.
    'license: other',
    'task_categories:',
    '  - text-generation',
    'tags:',
    '  - dpo',
    '  - preference',
    '  - configurable-preference-tuning',
    'configs:',
    '  - config_name: default',
    '    data_files:',
    '      - split: train',
    `        path: ${yamlString(c.splits.train)}`,
    ...(c.splits.test ? ['      - split: test', `        path: ${yamlString(c.splits.test)}`] : []),
    '---',
    '',
    datasetCardMark(c.writer),
    '',
    `# ${c.title}`,
    '',
    ...c.intro.flatMap((p) => [p, '']),
    ...c.facts.map((f) => `- ${f}`),
    '',
    '## Counts per rubric and level',
    '',
    `| rubric | level | ${c.table.columns.join(' | ')} |`,
    `| --- | ---: |${' ---: |'.repeat(c.table.columns.length)}`,
    ...c.table.rows.map((r) => `| ${cell(r.rubric)} | ${r.level} | ${r.cells.join(' | ')} |`),
    '',
    'Fingerprints are SHA-256 over the GGUF file’s size, header, sampled tensor data and end (see the',
    'project README, “Which model made a number”).',
    '',
  ].join('\n');
}

/**
 * Whether `file` may be written as a card: absent, or a card one of our commands wrote. A README.md of the
 * writer's own is never replaced.
 */
export async function cardWritable(file: string): Promise<boolean> {
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  return existing === undefined || isDatasetCard(existing);
}

/** Writes the card unless `file` is a README of the writer's own; false when it was left as it is. */
export async function writeDatasetCard(file: string, card: DatasetCard): Promise<boolean> {
  if (!(await cardWritable(file))) return false;
  await writeFileAtomic(file, formatCard(card));
  return true;
}

export interface PairsCardInput {
  splits: { train: string; test?: string };
  train: readonly PreferencePair[];
  test: readonly PreferencePair[];
  /** Every event read: the rewrite events the pairs name give the models and prompt modes. */
  events: readonly FeedbackEvent[];
  result: PairsResult;
  logs: readonly LogReadSummary[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The card of `cpt-writer pairs --card`: the writer's own decisions in the editor, made into pairs. */
export function pairsCard(c: PairsCardInput): DatasetCard {
  const all = [...c.train, ...c.test];
  const rewrites = new Map<string, RewriteEvent>();
  for (const e of c.events) if (e.type === 'rewrite') rewrites.set(e.id, e);
  const used = new Map<string, RewriteEvent>();
  for (const p of all) for (const id of p.ids) if (rewrites.has(id)) used.set(id, rewrites.get(id)!);
  // Models by content where the log has it (label, fingerprint, adapters), by name in older logs.
  const models = new Map<string, string>();
  const modes = new Map<string, number>();
  for (const e of used.values()) {
    const m = e.model;
    const adapters = (m.adapters ?? []).map((a) => `${a.label} (fingerprint ${a.fingerprint}, scale ${a.scale})`);
    const text =
      `${m.label ?? m.name}${m.fingerprint ? ` (fingerprint ${m.fingerprint})` : ' (fingerprint not recorded)'}` +
      `${adapters.length ? ` with adapters ${adapters.join(', ')}` : ''}`;
    models.set(JSON.stringify([m.fingerprint ?? m.name, m.adapters ?? []]), text);
    modes.set(e.mode, (modes.get(e.mode) ?? 0) + 1);
  }
  const rubrics = [...new Set(all.map((p) => p.rubric))].sort();
  const levels = [...new Set(all.map((p) => p.level))].sort((a, b) => a - b);
  const bySource = PAIR_SOURCES.map((s) => `${all.filter((p) => p.source === s).length} ${s}`).join(', ');
  const r = c.result;
  const unreadable = c.logs.reduce((a, l) => a + l.skipped.length, 0);
  const skipped = [
    plural(unreadable, 'unreadable log line'),
    plural(r.decisionsWithoutRewrite.length, 'decision') + ' without its rewrite',
    plural(r.rewritesWithoutDecision, 'rewrite') + ' nobody decided on',
    plural(r.keptOutForMarkup, 'kept rewrite') + ' that lost markup (never chosen)',
    plural(r.duplicatesDropped, 'duplicate pair') + ' dropped',
    plural(r.contrastCapped, 'contrast pair') + ' over the cap',
    plural(r.unpaired.length, 'unpaired decision') + ' (KTO examples with --kto)',
  ];
  const rows: Array<{ rubric: string; level: number; cells: number[] }> = [];
  for (const rubric of rubrics)
    for (const level of levels) {
      const here = (ps: readonly PreferencePair[]) => ps.filter((p) => p.rubric === rubric && p.level === level).length;
      const cells = [here(c.train) + here(c.test), here(c.train), here(c.test)];
      if (cells[0]) rows.push({ rubric, level, cells });
    }
  return {
    writer: 'pairs',
    splits: c.splits,
    title: 'CPT preference pairs from editor feedback',
    intro: [
      'Preference pairs in the conversational format of TRL (`prompt` with a system and a user message, `chosen`,\n' +
        '`rejected`), built from the decisions a writer made on rewrites in the editor: an edit is chosen over the\n' +
        'model’s output, an accepted regeneration over the rejected one, and accepted rewrites of one text at two\n' +
        'levels give swap-trick contrast pairs, each under its own level’s system prompt.',
    ],
    facts: [
      `Pairs: ${c.train.length} train${c.splits.test ? `, ${c.test.length} test` : ''} (${bySource}).`,
      `Input: ${plural(c.logs.length, 'feedback log')}, ${plural(used.size, 'rewrite')} in the pairs.`,
      `Rubrics: ${rubrics.join(', ') || 'none'}; levels ${levels.join(', ') || 'none'}.`,
      `Models that wrote the rewrites: ${[...models.values()].join('; ') || 'none'}.`,
      `Prompt mode of the system prompts: ${[...modes].map(([m, n]) => `${m} (${n})`).join(', ') || 'none'}.`,
      'Truncated: not recorded by the feedback log (a rewrite is bounded by the maxTokens setting; the writer ' +
        'saw each output whole before deciding).',
      `Skipped: ${skipped.join('; ')}.`,
    ],
    table: { columns: ['pairs', 'train', 'test'], rows },
  };
}
