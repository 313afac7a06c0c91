// The Markdown summary of a pairs build, printed by the CLI and shown by the VS Code command.
import type { SkippedLine } from '../feedback/read';
import { PAIR_SOURCES, type PairsResult } from './types';

export interface LogReadSummary {
  file: string;
  events: number;
  skipped: SkippedLine[];
}
export interface PairsReportInput {
  logs: LogReadSummary[];
  result: PairsResult;
  split?: { train: number; test: number; testFraction: number; seed: number; groups: number };
  /** What was written where, e.g. { label: 'pairs (train)', path: 'out.jsonl', rows: 12 }. */
  /** `rows` is absent for a file that is not JSONL (the dataset card). */
  outputs?: { label: string; path: string; rows?: number }[];
}

/** Backticks inside inline code would end it early; a table cell must not contain a bare pipe or newline. */
function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Skipped lines listed per log; the count covers them all. */
const MAX_SKIPPED_LISTED = 200;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatPairsReport(input: PairsReportInput): string {
  const { logs, result, split, outputs } = input;
  const out: string[] = [];
  const events = logs.reduce((n, l) => n + l.events, 0);
  const skipped = logs.reduce((n, l) => n + l.skipped.length, 0);

  out.push('# Preference pairs', '');
  out.push(`- Read ${plural(events, 'event')} from ${plural(logs.length, 'log')}; skipped ${plural(skipped, 'line')}.`);
  out.push(
    `- Built **${plural(result.pairs.length, 'pair')}**; dropped ${plural(result.duplicatesDropped, 'duplicate')}.`,
  );
  const accepted = result.unpaired.filter((k) => k.label).length;
  out.push(
    `- Unpaired decisions (KTO examples): ${result.unpaired.length} (${accepted} accepted, ` +
      `${result.unpaired.length - accepted} rejected).`,
  );
  out.push(
    `- Decisions without a rewrite: ${result.decisionsWithoutRewrite.length}; rewrites without a decision: ` +
      `${result.rewritesWithoutDecision}; edits that changed nothing: ${result.editsUnchanged}.`,
  );
  out.push(`- Kept out of chosen for lost markup: ${plural(result.keptOutForMarkup, 'accepted or edited rewrite')}.`);
  const cap = result.contrastCap;
  out.push(
    `- Contrast pairs capped: ${result.contrastCapped} not made (at most ${cap.perGroup} per text and rubric, ` +
      `${cap.perLevelPair} per two levels, so repeated rewrites of one text do not outweigh the rest).`,
  );
  out.push('');

  out.push('## Pairs by source', '', '| source | pairs |', '| --- | ---: |');
  for (const source of PAIR_SOURCES) {
    out.push(`| ${source} | ${result.pairs.filter((p) => p.source === source).length} |`);
  }
  out.push('');

  out.push('## Pairs by rubric and level', '');
  if (result.pairs.length === 0) {
    out.push('No pairs.');
  } else {
    const counts = new Map<string, { rubric: string; level: number; n: number }>();
    for (const p of result.pairs) {
      const key = JSON.stringify([p.rubric, p.level]);
      const c = counts.get(key) ?? { rubric: p.rubric, level: p.level, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    const rows = [...counts.values()].sort((a, b) => a.rubric.localeCompare(b.rubric) || a.level - b.level);
    out.push('| rubric | level | pairs |', '| --- | ---: | ---: |');
    for (const r of rows) out.push(`| ${cell(r.rubric)} | ${r.level} | ${r.n} |`);
  }
  out.push('');

  out.push('## Unpaired decisions', '');
  if (result.unpaired.length === 0) out.push('None.');
  else {
    out.push(
      `${accepted} accepted and ${result.unpaired.length - accepted} rejected rewrites formed no pair; they can ` +
        `be used as KTO examples.`,
    );
  }
  out.push('');

  if (split) {
    out.push('## Train/test split', '');
    out.push(
      `${split.train} train, ${split.test} test (requested ${split.testFraction}, seed ${split.seed}; ` +
        `${plural(split.groups, 'group')} of pairs about the same text kept on one side).`,
      '',
    );
  }

  if (outputs && outputs.length > 0) {
    out.push('## Files written', '');
    for (const o of outputs)
      out.push(`- ${o.label}: ${code(o.path)}${o.rows === undefined ? '' : ` (${plural(o.rows, 'row')})`}`);
    out.push('');
  }

  out.push('## Skipped lines', '');
  if (skipped === 0) out.push('None.');
  for (const log of logs) {
    // A log read twice (a backup beside the current log) can skip every line; the list stays readable.
    for (const s of log.skipped.slice(0, MAX_SKIPPED_LISTED))
      out.push(`- ${code(`${log.file}:${s.line}`)}: ${s.reason}`);
    const more = log.skipped.length - MAX_SKIPPED_LISTED;
    if (more > 0) out.push(`- … and ${plural(more, 'more skipped line')} in ${code(log.file)}, not listed.`);
  }
  out.push('');

  out.push('## Decisions without a rewrite', '');
  if (result.decisionsWithoutRewrite.length === 0) out.push('None.');
  for (const d of result.decisionsWithoutRewrite)
    out.push(
      `- decision ${code(d.id)} (${d.decision}) names rewrite ${code(d.rewriteId)}, which is in none of the logs read.`,
    );
  out.push('');

  return out.join('\n');
}
