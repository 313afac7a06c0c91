// The editor's judge for a style check: the judge service's model (cptWriter.judgeModel, else the rewriting
// model), its context size for the over-long rule, and its identity for the cache, known without loading.
import * as vscode from 'vscode';
import { endpointIdentity, modelFileIdentity, type CheckJudge } from '../../core/check';
import { isEndpointSpec } from '../../core/endpoint';
import { parseModelSpec, type TextGenerator } from '../../core/engine';
import { LazyGenerator } from '../../core/judge';
import { readConfig } from '../common/config';
import { readJudgeConfig, separateJudge } from '../judge/config';
import type { JudgeService } from '../judge/judge-service';

/** The spec of the model that will judge, or '' when none is configured. */
export function judgeSpec(): string {
  return readJudgeConfig().judgeModel || readConfig().model;
}

/** The judge's identity for cache keys; a model that must be downloaded first is known by its spec. */
export async function judgeIdentity(spec: string): Promise<string> {
  if (isEndpointSpec(spec)) return endpointIdentity(spec);
  const parsed = parseModelSpec(spec);
  if (parsed.kind !== 'file') return `spec ${spec}`;
  // The adapters of the engine that judges: the judge's own, or the rewriting model's when it judges.
  return modelFileIdentity(parsed.path, separateJudge()?.lora ?? readConfig().loraAdapters);
}

async function contextSizeOf(g: TextGenerator): Promise<number | undefined> {
  const inner = g instanceof LazyGenerator ? (await g.ready()).generator : g;
  const info = (inner as { info?: () => Promise<{ contextSize?: number }> }).info;
  return typeof info === 'function' ? (await info.call(inner)).contextSize : undefined;
}

/** The judge made ready; throws with a message the writer can act on when there is none. */
export async function readyJudge(service: JudgeService): Promise<CheckJudge> {
  const generator = await service.generator();
  if (!generator)
    throw new Error(
      vscode.l10n.t('no model is loaded (choose one with CPT Writer: Select Model…, then check ' + 'again)'),
    );
  const contextSize = await contextSizeOf(generator);
  return contextSize === undefined ? { generator } : { generator, contextSize };
}
