import type { DecisionEvent } from '../feedback/types';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
export type PairSource = 'edit' | 'regenerate' | 'contrast' | 'candidates';
export const PAIR_SOURCES: readonly PairSource[] = ['edit', 'regenerate', 'contrast', 'candidates'];
export interface PreferencePair {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  source: PairSource;
  rubric: string;
  level: number;
  /** Event ids the pair came from: rewrite ids (chosen side first), then their decision ids. */
  ids: string[];
  /** Source `candidates`: the indices of the chosen and the rejected candidate in the rewrite's `candidates`. */
  candidates?: [number, number];
}
export interface KtoExample {
  prompt: ChatMessage[];
  completion: ChatMessage[];
  label: boolean;
  rubric: string;
  level: number;
  id: string;
}
export interface PairsResult {
  pairs: PreferencePair[];
  unpaired: KtoExample[];
  duplicatesDropped: number;
  /** Decisions that name a rewrite id found in none of the logs read. */
  decisionsWithoutRewrite: DecisionEvent[];
  /**
   * Edits whose final text equals the model output after trimming and joining the line breaks inside
   * paragraphs (a re-wrap only): no preference, treated as accepted.
   */
  editsUnchanged: number;
  /** Rewrites nobody decided on (the preview was closed or the editor quit). */
  rewritesWithoutDecision: number;
  /** Accepted or edited rewrites whose kept text lost markup of the original: never used as chosen. */
  keptOutForMarkup: number;
  /** Contrast pairs not made because their (text, rubric) group or level pair reached the cap. */
  contrastCapped: number;
  /** The cap that was applied. */
  contrastCap: ContrastCap;
  /** Rewrite id → its original text, so a split can keep everything about one text on one side. */
  originals: Map<string, string>;
}

/**
 * The most contrast pairs (rows, each direction counted) one original text and rubric may give: in all,
 * and for each two levels. Repeated rewrites of one text would otherwise give pairs by the square of
 * their number and drown every other text and level pair.
 */
export interface ContrastCap {
  perGroup: number;
  perLevelPair: number;
}
