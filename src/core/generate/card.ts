// DIR/README.md of a generate run: a dataset card a dataset hub reads (its YAML header names the files of
// each split, the license field and the task category) and a reader can trust: which rubrics and levels,
// how many outputs per rubric × level, which teacher and judge (with content fingerprints), the prompt
// mode the student prompts were written in, and how many outputs were truncated or are missing.
import { type DatasetCard, datasetCardMark, formatCard } from '../pairs/card';
import type { Level } from '../rubrics/types';
import type { LevelCounts } from './types';

export interface DatasetCardInput {
  /** File names relative to the card: the pairs of each split. */
  splits: { train: string; test?: string };
  pairs: { train: number; test: number };
  rubrics: ReadonlyArray<{ id: string; title: string }>;
  levels: readonly Level[];
  counts: readonly LevelCounts[];
  teacher: { name: string; fingerprint?: string };
  judge?: { name: string; fingerprint?: string };
  /** How the student system prompts were written ("directive", or "directive (summarized by the teacher)"). */
  promptMode: string;
  kind: 'texts' | 'tasks';
  inputs: number;
  /** Outputs planned but not present (failed or not made yet). */
  missing: number;
  /** Inputs left out as too long for the teacher's context. */
  skipped: number;
  /** Outputs given up after repeated failures (not counted as missing). */
  givenUp: number;
  keepTruncated: boolean;
  filter: boolean;
}

/** Marks a README.md as this card, so a rerun replaces it and never a README the writer wrote. */
export const DATASET_CARD_MARK = datasetCardMark('generate');

/** The card of a generate run, in the shared card shape (core/pairs/card). */
export function generateCard(c: DatasetCardInput): DatasetCard {
  const truncated = c.counts.reduce((a, x) => a + x.truncated, 0);
  const present = c.counts.reduce((a, x) => a + x.present, 0);
  return {
    writer: 'generate',
    splits: c.splits,
    title: 'CPT preference pairs',
    intro: [
      'Preference pairs in the conversational format of TRL (`prompt` with a system and a user message, `chosen`,\n' +
        '`rejected`), made with the swap trick of Configurable Preference Tuning: two outputs for one input at two\n' +
        'levels of a rubric give a pair in each direction, each under its own level’s system prompt.',
    ],
    facts: [
      `Pairs: ${c.pairs.train} train${c.splits.test ? `, ${c.pairs.test} test` : ''}.`,
      `Input: ${c.inputs} ${c.kind === 'texts' ? 'passages to rewrite' : 'writing prompts'}.`,
      `Rubrics: ${c.rubrics.map((r) => `${r.id} (${r.title})`).join(', ')}; levels ${c.levels.join(', ')}.`,
      `Teacher: ${c.teacher.name}${c.teacher.fingerprint ? ` (fingerprint ${c.teacher.fingerprint})` : ''}.`,
      `Judge: ` +
        (c.judge
          ? `${c.judge.name}${c.judge.fingerprint ? ` (fingerprint ${c.judge.fingerprint})` : ''}` +
            (c.filter ? '; outputs not strictly nearest their own level’s target left out' : '')
          : 'none') +
        '.',
      `Prompt mode of the system prompts: ${c.promptMode}.`,
      `Outputs: ${present} present, ${c.missing} missing (failed or not made); ${truncated} stopped at the token ` +
        'limit' +
        `${truncated ? (c.keepTruncated ? ' (kept in the pairs)' : ' (left out of the pairs)') : ''}.`,
      `Skipped inputs (too long for the teacher's context): ${c.skipped}; outputs given up after repeated ` +
        `failures: ${c.givenUp}.`,
    ],
    table: {
      columns: ['present', 'truncated', 'kept in pairs'],
      rows: c.counts.map((x) => ({ rubric: x.rubric, level: x.level, cells: [x.present, x.truncated, x.kept] })),
    },
  };
}

export function formatDatasetCard(c: DatasetCardInput): string {
  return formatCard(generateCard(c));
}
