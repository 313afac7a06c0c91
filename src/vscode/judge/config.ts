// The judge's settings (cptWriter.bestOf, cptWriter.judgeModel, cptWriter.judgeLoraAdapters), read fresh on
// every call.
import * as vscode from 'vscode';
import type { LoraAdapter } from '../../core/engine';
import { MAX_BEST_OF } from '../../core/rewrite/best-of';
import { readConfig, readLoraAdapters } from '../common/config';

export interface JudgeConfig {
  /** Candidates per rewrite, 1..MAX_BEST_OF (1 = a single rewrite, nothing judged). */
  bestOf: number;
  /** A second model for the judge; '' = the rewriting model. */
  judgeModel: string;
  /** The judge's own LoRA adapters (never the rewriting model's cptWriter.loraAdapters), paths made absolute. */
  judgeLoraAdapters: LoraAdapter[];
  /** What is wrong with entries of cptWriter.judgeLoraAdapters; any one fails the judge's load. */
  judgeLoraProblems: string[];
}

export function readJudgeConfig(): JudgeConfig {
  const c = vscode.workspace.getConfiguration('cptWriter');
  const n = c.get<unknown>('bestOf', 1);
  const bestOf = typeof n === 'number' && Number.isFinite(n) ? Math.min(MAX_BEST_OF, Math.max(1, Math.round(n))) : 1;
  const { loraAdapters, loraProblems } = readLoraAdapters(c.get<unknown>('judgeLoraAdapters', []), 'judgeLoraAdapters');
  return {
    bestOf,
    judgeModel: (c.get<string>('judgeModel', '') ?? '').trim(),
    judgeLoraAdapters: loraAdapters,
    judgeLoraProblems: loraProblems,
  };
}

const sameAdapters = (a: readonly LoraAdapter[], b: readonly LoraAdapter[]) =>
  a.length === b.length && a.every((x, i) => x.path === b[i].path && x.scale === b[i].scale);

/**
 * The judge's own engine when it cannot be the rewriting engine: the model (cptWriter.judgeModel, else the
 * rewriting model) and only the judge's adapters. The rewriting engine judges only when it is the same
 * model with the same adapters: the rewriting model's adapters tune the writer, and on the judge they
 * would change the instrument. Undefined when the rewriting engine judges (or no model is set).
 */
export function separateJudge(): { spec: string; lora: LoraAdapter[]; problems: string[] } | undefined {
  const cfg = readConfig();
  const judge = readJudgeConfig();
  const spec = judge.judgeModel || cfg.model;
  if (!spec) return undefined;
  if (spec === cfg.model && !judge.judgeLoraProblems.length && sameAdapters(cfg.loraAdapters, judge.judgeLoraAdapters))
    return undefined;
  return { spec, lora: judge.judgeLoraAdapters, problems: judge.judgeLoraProblems };
}
