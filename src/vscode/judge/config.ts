// The judge's settings (cptWriter.bestOf, cptWriter.judgeModel), read fresh on every call.
import * as vscode from 'vscode';
import { MAX_BEST_OF } from '../../core/rewrite/best-of';

export interface JudgeConfig {
  /** Candidates per rewrite, 1..MAX_BEST_OF (1 = a single rewrite, nothing judged). */
  bestOf: number;
  /** A second model for the judge; '' = the rewriting model. */
  judgeModel: string;
}

export function readJudgeConfig(): JudgeConfig {
  const c = vscode.workspace.getConfiguration('cptWriter');
  const n = c.get<unknown>('bestOf', 1);
  const bestOf = typeof n === 'number' && Number.isFinite(n) ? Math.min(MAX_BEST_OF, Math.max(1, Math.round(n))) : 1;
  return { bestOf, judgeModel: (c.get<string>('judgeModel', '') ?? '').trim() };
}
