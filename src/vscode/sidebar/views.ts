// Turning the extension's data into the protocol's view types. No vscode import, so it is unit-tested
// in plain Node (test/unit/protocol-views.test.ts).
import type { Rubric } from '../../core/rubrics/types';
import type { ModelStatusView, RewriteStats, RubricView } from '../../shared/protocol';
import type { ModelStatus } from '../model/model-service';
import { english, type Translate } from '../common/translate';

const finite = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
const count = (n: number | undefined): number => Math.max(0, Math.round(finite(n)));

/** Stats with NaN/Infinity (e.g. tokens per second of a zero-length output) made 0, so the message validates. */
export function cleanStats(s: RewriteStats): RewriteStats {
  return {
    promptTokens: count(s.promptTokens),
    reusedPromptTokens: count(s.reusedPromptTokens),
    outputTokens: count(s.outputTokens),
    timeToFirstTokenMs: finite(s.timeToFirstTokenMs),
    tokensPerSecond: finite(s.tokensPerSecond),
    totalMs: finite(s.totalMs),
    ...(s.restoredPromptTokens !== undefined ? { restoredPromptTokens: count(s.restoredPromptTokens) } : {}),
  };
}

/** A copy with only the protocol's keys, undefined ones left out and numbers made valid. */
export function cleanModelStatus(m: ModelStatusView): ModelStatusView {
  const out: ModelStatusView = { state: m.state };
  if (typeof m.name === 'string') out.name = m.name;
  if (m.percent !== undefined) out.percent = Math.max(0, Math.min(100, finite(m.percent)));
  if (m.backend !== undefined) out.backend = m.backend;
  if (m.gpuLayers !== undefined) out.gpuLayers = count(m.gpuLayers);
  if (m.totalLayers !== undefined) out.totalLayers = count(m.totalLayers);
  if (typeof m.warning === 'string') out.warning = m.warning;
  if (typeof m.error === 'string') out.error = m.error;
  if (m.unloaded === true) out.unloaded = true;
  if (Array.isArray(m.adapters) && m.adapters.length) out.adapters = m.adapters.filter((a) => typeof a === 'string');
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

/** What the sidebar shows of the model service's status. */
export function toModelStatusView(s: ModelStatus, t: Translate = english): ModelStatusView {
  switch (s.state) {
    case 'none':
      return { state: 'none' };
    case 'unloaded':
      return s.unloaded ? { state: 'none', name: s.name, unloaded: true } : { state: 'none', name: s.name };
    case 'loading':
      return { state: 'loading', name: s.name, percent: Math.round(s.fraction * 100) };
    case 'error':
      return { state: 'error', name: s.name, error: s.message };
    case 'ready': {
      const warnings = [
        s.testModel ? t('random-weight test model: its output is gibberish') : undefined,
        s.gpuFallback ? t('GPU fallback: {0}', s.gpuFallback) : undefined,
      ].filter((w): w is string => !!w);
      return {
        state: 'ready',
        name: s.model.name,
        backend: s.backend,
        gpuLayers: s.gpuLayers,
        totalLayers: s.totalLayers,
        warning: warnings.length ? warnings.join('; ') : undefined,
        ...(s.adapters?.length ? { adapters: s.adapters.map((a) => `${a.name} ×${a.scale}`) } : {}),
      };
    }
  }
}
