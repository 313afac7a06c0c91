// What a generation reports and where it ran, as plain data with no Node or vscode types: the sidebar
// webview's protocol (src/shared/protocol.ts) imports these into a browser build. Re-exported by ./types.

export type Backend = 'cpu' | 'cuda' | 'vulkan' | 'metal';

export interface GenerateResult {
  text: string;
  stopReason: 'eos' | 'maxTokens' | 'aborted';
  /** Tokens in the whole prompt (system + user, chat template applied). */
  promptTokens: number;
  /** Prompt tokens whose KV state was reused from an earlier evaluation instead of evaluated again. */
  reusedPromptTokens: number;
  /**
   * Of reusedPromptTokens, those restored from a saved state: the persistent prompt cache (after a restart,
   * reload or switch), or in parallel sequences a state an earlier wave kept.
   */
  restoredPromptTokens?: number;
  outputTokens: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  totalMs: number;
}
