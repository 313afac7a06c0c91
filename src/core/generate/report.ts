// DIR/report.md: what a generate run holds, per rubric and level, with judge scores, filtering and failures.
import { givenUpLine } from '../jsonl/attempts';
import type { Level } from '../rubrics/types';
import type { GenerateOutcome } from './run-types';
import type { InputKind, InputProblem } from './types';

export interface GenerateReportInput {
  outcome: Omit<GenerateOutcome, 'report'>;
  teacher: string;
  judge?: string;
  filter: boolean;
  keepTruncated: boolean;
  kind: InputKind;
  levels: readonly Level[];
  samplesPerLevel: number;
  rubrics: readonly string[];
  tasks: number;
  summarize: boolean;
  input?: { file: string; problems: readonly InputProblem[] };
}

const MAX_LISTED = 50;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const STATUS: Record<GenerateOutcome['status'], string> = {
  complete: 'complete: every planned output exists',
  incomplete: 'incomplete: some outputs failed; run the same command again to retry only those',
  stopped: 'stopped early; run the same command again to continue where it stopped',
  cancelled: 'cancelled; run the same command again to continue where it stopped',
};

export function formatGenerateReport(r: GenerateReportInput): string {
  const o = r.outcome;
  const out: string[] = ['# Generated preference data', ''];
  out.push(`- Status: **${STATUS[o.status]}**${o.stopReason ? ` (${o.stopReason})` : ''}.`);
  out.push(
    `- Teacher: ${r.teacher}` +
      (r.summarize
        ? '; student system prompts are its summarized directives (directives.json)'
        : "; student system prompts are the rubrics' directives, as the extension sends them") +
      '.',
  );
  out.push(
    `- Input: ${plural(r.tasks, r.kind === 'texts' ? 'passage' : 'writing prompt')}` +
      `${r.input ? ` from ${r.input.file}` : ''}; ` +
      `rubrics: ${r.rubrics.join(', ')}; levels: ${r.levels.join(', ')}; ${plural(r.samplesPerLevel, 'sample')} ` +
      `per level.`,
  );
  out.push(
    `- Outputs: ${o.present} of ${o.planned} planned exist; ${o.made} made and ${o.judged} judged in this run ` +
      `(${plural(o.requests, 'teacher request')}).`,
  );
  out.push(
    `- Pairs: **${o.pairs}** (swap trick, both directions)` +
      (o.identicalSkipped
        ? `; ${plural(o.identicalSkipped, 'level pair')} skipped because both outputs were the same text`
        : '') +
      '.',
  );
  if (r.judge)
    out.push(
      `- Judge: ${r.judge}` +
        (r.filter
          ? "; outputs not scored strictly nearer their own level's target than any other level's " +
            '(a tie is not a hit) are left out of the pairs'
          : '') +
        '.',
    );
  if (o.skipped.length)
    out.push(
      `- Skipped: ${plural(o.skipped.length, r.kind === 'texts' ? 'passage' : 'writing prompt')} ` +
        "too long for the teacher's context " +
        `(${o.skipped.map((s) => `${cell(s.id)}: ${s.tokens} tokens, context ${s.contextSize}`).join('; ')}).`,
    );
  if (o.givenUp.length)
    out.push(
      `- Given up: ${givenUpLine(o.givenUp, 'item')} ` +
        `(${o.givenUp.map((g) => `${cell(g.what)}: ${cell(g.message)}`).join('; ')}); ` +
        'they are not tried again (failures.jsonl counts the attempts).',
    );
  const truncated = o.counts.reduce((a, c) => a + c.truncated, 0);
  out.push(
    `- Truncated (stopped at the token limit): ` +
      plural(truncated, 'output') +
      (truncated
        ? r.keepTruncated
          ? ', kept in the pairs (--keep-truncated)'
          : ', left out of the pairs (--keep-truncated keeps them)'
        : '') +
      '.',
  );
  out.push('');

  out.push('## Outputs per rubric and level', '');
  const judged = !!r.judge;
  out.push(
    `| rubric | level | target | planned | present ` +
      `|${judged ? ' scored | mean score |' : ''}${r.filter ? ' kept | dropped |' : ''}`,
  );
  out.push(`| --- | ---: | ---: | ---: | ---: |${judged ? ' ---: | ---: |' : ''}${r.filter ? ' ---: | ---: |' : ''}`);
  for (const c of o.counts) {
    const target = [10, 30, 50, 70, 90][c.level - 1];
    const mean = c.meanScore === undefined ? '–' : c.meanScore.toFixed(1);
    out.push(
      `| ${cell(c.rubric)} | ${c.level} | ${target} | ${c.planned} | ${c.present} ` +
        `|${judged ? ` ${c.scored} | ${mean} |` : ''}${r.filter ? ` ${c.kept} | ${c.dropped} |` : ''}`,
    );
  }
  out.push('');

  out.push('## Failures', '');
  if (!o.failures.length) out.push('None.');
  for (const f of o.failures.slice(0, MAX_LISTED)) out.push(`- ${cell(f.what)}: ${cell(f.message)}`);
  if (o.failures.length > MAX_LISTED) out.push(`- … and ${o.failures.length - MAX_LISTED} more`);
  out.push('');

  const problems = r.input?.problems ?? [];
  if (problems.length || o.notices.length) {
    out.push('## Skipped input and repairs', '');
    for (const p of problems.slice(0, MAX_LISTED)) out.push(`- ${cell(r.input!.file)}:${p.line}: ${cell(p.message)}`);
    if (problems.length > MAX_LISTED) out.push(`- … and ${problems.length - MAX_LISTED} more input lines`);
    for (const n of o.notices.slice(0, MAX_LISTED)) out.push(`- ${cell(n)}`);
    out.push('');
  }

  out.push('## Files', '');
  out.push(`- ${o.files.samples}: one line per output (the latest line for an output wins)`);
  out.push(`- ${o.files.pairs}: TRL conversational preference pairs`);
  if (o.files.flat) out.push(`- ${o.files.flat}: the same pairs as flat strings`);
  if (o.files.directives)
    out.push(
      `- ${o.files.directives}: the summarized directives (write them into a rubric with \`cpt-writer directives\`)`,
    );
  out.push(`- ${o.files.config}: what these samples were made with (a run with other settings is refused)`);
  out.push('');
  return out.join('\n');
}
