// API contract (helper implements): preference pairs from feedback events.
import type { FeedbackEvent } from '../feedback/types';

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
export interface PreferencePair {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  source: 'edit' | 'regenerate' | 'contrast';
  rubric: string;
  level: number;
  ids: string[];
}
export interface KtoExample { prompt: ChatMessage[]; completion: ChatMessage[]; label: boolean; rubric: string; level: number; id: string }
export interface PairsResult { pairs: PreferencePair[]; unpaired: KtoExample[]; duplicatesDropped: number }

export function buildPairs(_events: FeedbackEvent[]): PairsResult {
  throw new Error('not implemented');
}
