// One chat completion on one context sequence whose prompt (all but its last token) is already resident:
// the part a single generate and every job of a parallel batch share, so both sample the same way.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { LlamaContextSequence, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { GenerateParams } from './protocol';
import type { GenerateResult } from './types';

export interface SequenceGeneration {
  nlc: typeof NodeLlamaCpp;
  sequence: LlamaContextSequence;
  chatWrapper: NodeLlamaCpp.ChatWrapper;
  params: GenerateParams;
  prompt: readonly Token[];
  /** The sequence's context size: generation stops before it overflows. */
  contextSize: number;
  grammar?: NodeLlamaCpp.LlamaGrammar;
  signal: AbortSignal;
  onText(text: string): void;
  /** When the request started (its prompt evaluation counts towards time to first token). */
  startedAt: number;
  reused: number;
  restored: number;
}

export async function generateOnSequence(g: SequenceGeneration): Promise<GenerateResult> {
  const { params: p, signal } = g;
  const session = new g.nlc.LlamaChatSession({
    contextSequence: g.sequence,
    systemPrompt: p.system,
    chatWrapper: g.chatWrapper,
    autoDisposeSequence: false,
  });
  try {
    let firstAt: number | undefined;
    let outputTokens = 0;
    let streamed = '';
    let res: { responseText: string; stopReason: string } | undefined;
    try {
      if (!signal.aborted)
        res = await session.promptWithMeta(p.user, {
          maxTokens: Math.min(p.maxTokens, g.contextSize - g.prompt.length),
          temperature: p.temperature,
          ...(p.seed !== undefined ? { seed: p.seed } : {}),
          ...(g.grammar ? { grammar: g.grammar } : {}),
          signal,
          stopOnAbortSignal: true,
          onToken: (tokens) => {
            outputTokens += tokens.length;
          },
          onTextChunk: (text) => {
            firstAt ??= performance.now();
            streamed += text;
            g.onText(text);
          },
        });
    } catch (err) {
      // stopOnAbortSignal covers generation; an abort while the prompt is still being evaluated throws.
      if (!signal.aborted) throw err;
    }
    const end = performance.now();
    const decodeMs = firstAt === undefined ? 0 : end - firstAt;
    return {
      text: res ? res.responseText : streamed,
      stopReason:
        !res || res.stopReason === 'abort' || signal.aborted
          ? 'aborted'
          : res.stopReason === 'maxTokens'
            ? 'maxTokens'
            : 'eos',
      promptTokens: g.prompt.length,
      reusedPromptTokens: g.reused,
      restoredPromptTokens: g.restored,
      outputTokens,
      timeToFirstTokenMs: firstAt === undefined ? 0 : firstAt - g.startedAt,
      // Decode speed after the first token; the first one's cost is prompt evaluation, in timeToFirstTokenMs.
      tokensPerSecond: outputTokens > 1 && decodeMs > 0 ? (outputTokens - 1) / (decodeMs / 1000) : 0,
      totalMs: end - g.startedAt,
    };
  } finally {
    session.dispose({ disposeSequence: false });
  }
}
