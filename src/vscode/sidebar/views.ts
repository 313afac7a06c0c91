// Turning the extension's data into the protocol's view types. No vscode import, so it is unit-tested
// in plain Node (test/unit/protocol-views.test.ts).
import type { Rubric } from '../../core/rubrics/types';
import type { ModelStatus, RewriteStats, RubricView } from '../../shared/protocol';

const finite = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
const count = (n: number | undefined): number => Math.max(0, Math.round(finite(n)));

/** Stats with NaN/Infinity (e.g. tokens per second of a zero-length output) made 0, so the message validates. */
export function cleanStats(s: RewriteStats): RewriteStats {
  return {
    promptTokens: count(s.promptTokens), reusedPromptTokens: count(s.reusedPromptTokens), outputTokens: count(s.outputTokens),
    timeToFirstTokenMs: finite(s.timeToFirstTokenMs), tokensPerSecond: finite(s.tokensPerSecond), totalMs: finite(s.totalMs),
  };
}

/** A copy with only the protocol's keys, undefined ones left out and numbers made valid. */
export function cleanModelStatus(m: ModelStatus): ModelStatus {
  const out: ModelStatus = { state: m.state };
  if (typeof m.name === 'string') out.name = m.name;
  if (m.percent !== undefined) out.percent = Math.max(0, Math.min(100, finite(m.percent)));
  if (m.backend !== undefined) out.backend = m.backend;
  if (m.gpuLayers !== undefined) out.gpuLayers = count(m.gpuLayers);
  if (m.totalLayers !== undefined) out.totalLayers = count(m.totalLayers);
  if (typeof m.warning === 'string') out.warning = m.warning;
  if (typeof m.error === 'string') out.error = m.error;
  return out;
}

export function toRubricView(r: Rubric): RubricView {
  const directives: RubricView['directives'] = {};
  for (const [k, v] of Object.entries(r.directives)) {
    if (typeof v === 'string' && (k === '1' || k === '2' || k === '3' || k === '4' || k === '5')) directives[k] = v;
  }
  return {
    id: r.id,
    title: r.title,
    summary: r.summary,
    levels: [...r.levels],
    criteria: r.criteria.map((c) => ({ name: c.name, weight: c.weight, levels: [...c.levels] })),
    directives,
    builtin: r.source.builtin,
  };
}
