// The webview's side of the channel: a typed wrapper over acquireVsCodeApi(), which may be called
// only once per page.
import type { SidebarState, WebviewToHost } from '../src/shared/protocol';

/** What the webview keeps across hide/show in vscode.setState(): the last host state and its own UI choices. */
export interface PersistedState {
  state?: SidebarState;
  ui: { criteriaOpen: boolean; historyOpen: boolean };
  /** The note field's text. */
  note?: string;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function send(message: WebviewToHost): void {
  api.postMessage(message);
}

export function loadPersisted(): unknown {
  return api.getState();
}

export function savePersisted(state: PersistedState): void {
  api.setState(state);
}
