// The report of an evaluation, computed from its samples alone (a run and `cpt-writer eval --report`
// give the same numbers): one row per model × prompt mode × best-of N, pooled over rubrics and per rubric.
import type { PromptMode } from '../prompts/types';
import type { Level } from '../rubrics/types';
import { METRIC_DEFINITIONS, computeMetrics } from './metrics';
import { evalModelIdentity } from './samples';
import type { GivenUp } from '../jsonl/attempts';
import type { EvalReport, EvalRow, EvalSample, SkippedLine, SkippedText } from './types';

/**
 * Rows in the order their model and mode first appear (the order of --model on the command line). A row
 * is one model identity (content fingerprint and adapters, see evalModelIdentity) in one prompt mode,
 * named by the label its first sample carries; two identities with one label are told apart by their
 * fingerprints.
 */
export function computeReport(
  samples: readonly EvalSample[],
  sources: readonly string[],
  skipped: readonly SkippedLine[] = [],
  skippedTexts: readonly SkippedText[] = [],
  givenUp: readonly GivenUp[] = [],
): EvalReport {
  const rows = new Map<
    string,
    { id: string; first: EvalSample; mode: PromptMode; bestOf: number; task: boolean; samples: EvalSample[] }
  >();
  for (const s of samples) {
    const id = evalModelIdentity(s);
    const bestOf = s.bestOf ?? 1;
    const task = s.task ?? false;
    const key = JSON.stringify([id, s.mode, bestOf, task]);
    const row = rows.get(key) ?? { id, first: s, mode: s.mode, bestOf, task, samples: [] };
    rows.set(key, row);
    row.samples.push(s);
  }
  const idsByLabel = new Map<string, Set<string>>();
  for (const r of rows.values()) idsByLabel.set(r.first.model, (idsByLabel.get(r.first.model) ?? new Set()).add(r.id));
  const labelOf = (r: { id: string; first: EvalSample }) =>
    (idsByLabel.get(r.first.model)?.size ?? 1) > 1
      ? `${r.first.model} [` +
        [r.first.modelFingerprint ?? 'no fingerprint', ...(r.first.adapters ?? []).map((a) => a.fingerprint)].join(
          '+',
        ) +
        ']'
      : r.first.model;
  return {
    v: 1,
    sources: [...sources],
    rows: [...rows.values()].map((r): EvalRow => {
      const levels = [...new Set(r.samples.map((s) => s.level))].sort((a, b) => a - b) as Level[];
      const rubrics = [...new Set(r.samples.map((s) => s.rubric))];
      return {
        model: labelOf(r),
        identity: r.id,
        ...(r.first.modelFingerprint ? { modelFingerprint: r.first.modelFingerprint } : {}),
        ...(r.first.adapters?.length ? { adapters: r.first.adapters } : {}),
        mode: r.mode,
        bestOf: r.bestOf,
        task: r.task,
        cost: {
          secondsPerSample: r.samples.reduce((a, s) => a + s.seconds, 0) / r.samples.length,
          judgementsPerSample: r.samples.reduce((a, s) => a + (s.judgements ?? 1), 0) / r.samples.length,
        },
        truncated: r.samples.filter((s) => s.truncated).length / r.samples.length,
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
    ...(skippedTexts.length ? { skippedTexts: [...skippedTexts] } : {}),
    ...(givenUp.length ? { givenUp: [...givenUp] } : {}),
    definitions: { ...METRIC_DEFINITIONS },
  };
}

/**
 * How a row's prompt is named in tables and charts: its mode, its best-of N when above 1, and "tasks" for
 * free writing from --tasks prompts ("rubric, best-of-4", "directive, tasks").
 */
export function rowSetup(r: Pick<EvalRow, 'mode' | 'bestOf'> & { task?: boolean }): string {
  return [r.mode, ...(r.bestOf > 1 ? [`best-of-${r.bestOf}`] : []), ...(r.task ? ['tasks'] : [])].join(', ');
}
