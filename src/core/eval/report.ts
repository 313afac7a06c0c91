// The report of an evaluation, computed from its samples alone (a run and `cpt-writer eval --report`
// give the same numbers): one row per model × prompt mode, pooled over rubrics and per rubric.
import type { PromptMode } from '../prompts/types';
import type { Level } from '../rubrics/types';
import { METRIC_DEFINITIONS, computeMetrics } from './metrics';
import type { EvalReport, EvalRow, EvalSample, SkippedLine } from './types';

/** Rows in the order their model and mode first appear (the order of --model on the command line). */
export function computeReport(
  samples: readonly EvalSample[],
  sources: readonly string[],
  skipped: readonly SkippedLine[] = [],
): EvalReport {
  const rows = new Map<string, { model: string; mode: PromptMode; samples: EvalSample[] }>();
  for (const s of samples) {
    const key = JSON.stringify([s.model, s.mode]);
    const row = rows.get(key) ?? { model: s.model, mode: s.mode, samples: [] };
    rows.set(key, row);
    row.samples.push(s);
  }
  return {
    v: 1,
    sources: [...sources],
    rows: [...rows.values()].map((r): EvalRow => {
      const levels = [...new Set(r.samples.map((s) => s.level))].sort((a, b) => a - b) as Level[];
      const rubrics = [...new Set(r.samples.map((s) => s.rubric))];
      return {
        model: r.model,
        mode: r.mode,
        judges: [...new Set(r.samples.map((s) => s.judge))],
        pooled: computeMetrics(r.samples, levels),
        rubrics: rubrics.map((rubric) => ({
          rubric,
          ...computeMetrics(
            r.samples.filter((s) => s.rubric === rubric),
            levels,
          ),
        })),
      };
    }),
    skipped: [...skipped],
    definitions: { ...METRIC_DEFINITIONS },
  };
}
