// DIR/report.md: the comparison table (one row per model × mode, as the CPT paper sets base beside
// tuned models), the same per rubric, the score per level, the chart, and what every number means.
import { METRIC_DEFINITIONS } from './metrics';
import { givenUpLine } from '../jsonl/attempts';
import { rowSetup } from './report';
import type { EvalMetrics, EvalReport } from './types';

const num = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function metricCells(m: EvalMetrics): string {
  return [m.n, num(m.accuracy), num(m.tauB), num(m.rho), `${num(m.orderAccuracy)} (${m.orderGroups})`].join(' | ');
}

/**
 * "1 passage skipped: too long for a 1024-token context" (per context size, over every model); writing
 * prompts of --tasks are "tasks".
 */
export function skippedTextsLine(
  skipped: ReadonlyArray<{ textId: string; contextSize: number; task?: boolean }>,
): string {
  const bySize = new Map<string, { size: number; task: boolean; ids: Set<string> }>();
  for (const s of skipped) {
    const key = `${s.contextSize}/${s.task ? 't' : 'p'}`;
    const g = bySize.get(key) ?? { size: s.contextSize, task: !!s.task, ids: new Set<string>() };
    bySize.set(key, g.ids.add(s.textId) && g);
  }
  return [...bySize.values()]
    .map(
      ({ size, task, ids }) =>
        `${ids.size} ${task ? 'task' : 'passage'}${ids.size === 1 ? '' : 's'} skipped: ` +
        `too long for a ${size}-token context`,
    )
    .join('; ');
}

/** The report as Markdown; `chart` is the SVG's file name beside it, if there is one. */
export function formatReportMarkdown(report: EvalReport, chart?: string): string {
  const out: string[] = ['# CPT Writer evaluation', ''];
  out.push(
    `Computed from ${report.sources.map((s) => `\`${s}\``).join(', ') || 'no samples file'}: ` +
      `${report.rows.reduce((a, r) => a + r.pooled.n, 0)} judged samples.`,
    '',
  );
  if (!report.rows.length) {
    out.push('No judged samples yet.', '');
  } else {
    out.push(
      '## Comparison',
      '',
      'Pooled over rubrics. Levels: the requested levels evaluated; order accuracy counts passage × rubric groups ' +
        '(in brackets).',
      '',
    );
    out.push(
      '| Model | Mode | Levels | n | Accuracy | Kendall τ-b | Spearman ρ | Order accuracy | Truncated | Seconds ' +
        '| Seconds per sample | Judgements per sample |',
      '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of report.rows) {
      out.push(
        `| ${cell(r.model)} | ${rowSetup(r)} | ${r.pooled.levels.join(',')} | ${metricCells(r.pooled)} | ` +
          `${num(r.truncated)} | ${r.pooled.seconds.toFixed(1)} | ${r.cost.secondsPerSample.toFixed(2)} | ` +
          `${r.cost.judgementsPerSample.toFixed(2)} |`,
      );
    }
    if (report.rows.some((r) => r.bestOf > 1))
      out.push(
        '',
        'A best-of-N row writes N candidates per sample, has the judge score each, and keeps the one nearest ' +
          "the level's target (the tie rule under Definitions); its cost is N judgements per sample.",
      );
    out.push('');
    const identified = report.rows.filter((r) => r.modelFingerprint);
    if (identified.length) {
      out.push('Models by content fingerprint (core/engine/fingerprint):', '');
      for (const r of identified) {
        const adapters = (r.adapters ?? []).map((a) => `\`${cell(a.label)}\` ${a.fingerprint} × ${a.scale}`);
        out.push(
          `- ${cell(r.model)} (${rowSetup(r)}): ${r.modelFingerprint}` +
            `${adapters.length ? `; adapters ${adapters.join(', ')}` : ''}`,
        );
      }
      out.push('');
    }
    if (report.skippedTexts?.length) out.push(`${skippedTextsLine(report.skippedTexts)}.`, '');
    if (report.givenUp?.length) {
      out.push(`${givenUpLine(report.givenUp, 'sample')}:`, '');
      for (const g of report.givenUp) out.push(`- ${cell(g.what)}: ${cell(g.message)}`);
      out.push('');
    }
    const judges = [...new Set(report.rows.flatMap((r) => r.judges))];
    out.push(`Judge${judges.length > 1 ? 's' : ''}: ${judges.map((j) => `\`${j}\``).join(', ')}.`);
    if (judges.length > 1)
      out.push('Rows judged by different judges measure against different instruments: compare them with care.');
    if (new Set(report.rows.map((r) => r.pooled.levels.length)).size > 1)
      out.push(
        'Rows evaluated different numbers of levels: their τ-b and ρ have different ceilings and are not comparable.',
      );
    out.push('');
    if (chart) out.push(`![Judged score by requested level, one panel per model and mode](${chart})`, '');
    out.push(
      '## Per rubric',
      '',
      '| Model | Mode | Rubric | n | Accuracy | Kendall τ-b | Spearman ρ | Order accuracy |',
      '|---|---|---|---:|---:|---:|---:|---:|',
    );
    for (const r of report.rows)
      for (const m of r.rubrics)
        out.push(`| ${cell(r.model)} | ${rowSetup(r)} | ${cell(m.rubric)} | ${metricCells(m)} |`);
    out.push(
      '',
      '## Judged score per level',
      '',
      '| Model | Mode | Level | Target | n | Mean | SD | Min | Q1 | Median | Q3 | Max |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of report.rows) {
      for (const l of r.pooled.perLevel) {
        out.push(
          `| ${cell(r.model)} | ${rowSetup(r)} | ${l.level} | ${l.target} | ${l.n} | ${num(l.mean, 1)} | ` +
            `${num(l.sd, 1)} | ${num(l.min, 0)} | ${num(l.q1, 1)} | ${num(l.median, 1)} | ${num(l.q3, 1)} | ` +
            `${num(l.max, 0)} |`,
        );
      }
    }
    out.push('');
  }
  out.push('## Definitions', '');
  const names: Record<string, string> = {
    accuracy: 'Accuracy',
    tauB: 'Kendall τ-b',
    rho: 'Spearman ρ',
    orderAccuracy: 'Order accuracy',
    perLevel: 'Per level',
    seconds: 'Seconds',
    ceiling: 'Ceiling',
  };
  for (const [k, v] of Object.entries(METRIC_DEFINITIONS)) out.push(`- **${names[k] ?? k}**: ${v}.`);
  out.push(
    '- A metric shown as — cannot be computed from these samples (one level only, or a score that never varies).',
    '',
  );
  if (report.skipped.length) {
    out.push(
      '## Skipped lines',
      '',
      `${report.skipped.length} line${report.skipped.length === 1 ? '' : 's'} of the samples could not be used; ` +
        `the rest are counted.`,
      '',
    );
    for (const s of report.skipped.slice(0, 50)) out.push(`- \`${s.file}:${s.line}\`: ${s.reason}`);
    if (report.skipped.length > 50) out.push(`- … and ${report.skipped.length - 50} more`);
    out.push('');
  }
  return out.join('\n');
}
