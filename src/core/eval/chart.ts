// DIR/report.svg: the judged score (0–100) by requested level, one panel per model × mode side by side;
// at each level a box (quartiles, median, whiskers to min and max), every sample as a dot, and the
// level's target as a dashed tick. Colours read on light and dark backgrounds; no script, no fonts.
import { rowSetup } from './report';
import { evalModelIdentity } from './samples';
import type { EvalReport, EvalRow, EvalSample } from './types';

const PANEL_TOP = 44;
const PLOT_HEIGHT = 220;
const LEVEL_WIDTH = 64;
const AXIS_WIDTH = 40;
const PANEL_GAP = 24;
const INK = '#808080';
const DATA = '#3b82c4';
const TARGET = '#d9822b';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const y = (score: number) => PANEL_TOP + PLOT_HEIGHT - (score / 100) * PLOT_HEIGHT;
const f = (v: number) => Number(v.toFixed(1));

/** A spread in [-1, 1] from an index that is the same on every render (no Math.random: reruns give the same file). */
function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) * 2 - 1;
}

function panel(row: EvalRow, scores: Map<number, number[]>, x0: number): string[] {
  const levels = row.pooled.levels;
  const width = AXIS_WIDTH + levels.length * LEVEL_WIDTH;
  const parts: string[] = [];
  const title = `${clip(row.model, Math.max(12, Math.floor(width / 7)))}`;
  parts.push(
    `<text x="${f(x0 + width / 2)}" y="16" text-anchor="middle" ` +
      `font-weight="bold"><title>${esc(row.model)}</title>${esc(title)}</text>`,
  );
  parts.push(
    `<text x="${f(x0 + width / 2)}" y="32" text-anchor="middle">${esc(rowSetup(row))} · n ${row.pooled.n} · ` +
      `τ-b ${row.pooled.tauB === null ? '—' : row.pooled.tauB.toFixed(2)}</text>`,
  );
  for (const g of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line x1="${x0 + AXIS_WIDTH}" x2="${x0 + width}" y1="${f(y(g))}" y2="${f(y(g))}" stroke="${INK}" ` +
        `stroke-opacity="0.25"/>`,
    );
    parts.push(`<text x="${x0 + AXIS_WIDTH - 6}" y="${f(y(g) + 4)}" text-anchor="end">${g}</text>`);
  }
  levels.forEach((level, i) => {
    const cx = x0 + AXIS_WIDTH + (i + 0.5) * LEVEL_WIDTH;
    const stats = row.pooled.perLevel.find((l) => l.level === level)!;
    parts.push(`<text x="${f(cx)}" y="${f(PANEL_TOP + PLOT_HEIGHT + 18)}" text-anchor="middle">L${level}</text>`);
    parts.push(
      `<line x1="${f(cx - 26)}" x2="${f(cx + 26)}" y1="${f(y(stats.target))}" y2="${f(y(stats.target))}" ` +
        `stroke="${TARGET}" stroke-width="2" stroke-dasharray="4 3"><title>target ${stats.target}</title></line>`,
    );
    if (
      stats.n &&
      stats.min !== null &&
      stats.max !== null &&
      stats.q1 !== null &&
      stats.q3 !== null &&
      stats.median !== null
    ) {
      parts.push(
        `<line x1="${f(cx)}" x2="${f(cx)}" y1="${f(y(stats.max))}" y2="${f(y(stats.min))}" stroke="${DATA}"/>`,
      );
      parts.push(
        `<rect x="${f(cx - 16)}" y="${f(y(stats.q3))}" width="32" ` +
          `height="${f(Math.max(1, y(stats.q1) - y(stats.q3)))}" fill="${DATA}" fill-opacity="0.18" stroke="${DATA}">` +
          `<title>L${level}: n ${stats.n}, median ${stats.median}, quartiles ${stats.q1}–${stats.q3}, range ` +
          `${stats.min}–${stats.max}</title></rect>`,
      );
      parts.push(
        `<line x1="${f(cx - 16)}" x2="${f(cx + 16)}" y1="${f(y(stats.median))}" y2="${f(y(stats.median))}" ` +
          `stroke="${DATA}" stroke-width="2"/>`,
      );
    }
    (scores.get(level) ?? []).forEach((s, k) => {
      parts.push(
        `<circle cx="${f(cx + jitter(k + 1) * 22)}" cy="${f(y(s))}" r="2.5" fill="${DATA}" fill-opacity="0.55"/>`,
      );
    });
  });
  parts.push(
    `<line x1="${x0 + AXIS_WIDTH}" x2="${x0 + AXIS_WIDTH}" y1="${PANEL_TOP}" y2="${PANEL_TOP + PLOT_HEIGHT}" ` +
      `stroke="${INK}"/>`,
  );
  return parts;
}

/**
 * The chart for `report`; `scores` gives each row's judged scores by level (the dots), in the order of
 * report.rows. A report with no rows is a small SVG that says so.
 */
export function reportSvg(report: EvalReport, scores: ReadonlyArray<Map<number, number[]>>): string {
  const widths = report.rows.map((r) => AXIS_WIDTH + r.pooled.levels.length * LEVEL_WIDTH);
  const width = Math.max(
    480,
    widths.reduce((a, w) => a + w + PANEL_GAP, PANEL_GAP),
  );
  const height = PANEL_TOP + PLOT_HEIGHT + 56;
  const body: string[] = [];
  let x = PANEL_GAP / 2;
  report.rows.forEach((row, i) => {
    body.push(...panel(row, scores[i] ?? new Map(), x));
    x += widths[i] + PANEL_GAP;
  });
  if (!report.rows.length)
    body.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">No judged samples yet.</text>`);
  body.push(
    `<text x="${PANEL_GAP / 2}" y="${height - 10}">Score 0–100 by level. Box: quartiles, median; whiskers: range; ` +
      `dots: samples; dashed: target.</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="11" fill="${INK}" role="img" aria-label="Judged score by requested level">`,
    `<title>Judged score by requested level, per model and prompt mode</title>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Each row's scores by level, for reportSvg's dots. */
export function scoresByRow(report: EvalReport, samples: ReadonlyArray<EvalSample>): Array<Map<number, number[]>> {
  return report.rows.map((row) => {
    const m = new Map<number, number[]>();
    for (const s of samples)
      if (
        evalModelIdentity(s) === row.identity &&
        s.mode === row.mode &&
        (s.bestOf ?? 1) === row.bestOf &&
        (s.task ?? false) === row.task
      )
        m.set(s.level, [...(m.get(s.level) ?? []), s.score]);
    return m;
  });
}
