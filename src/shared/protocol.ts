// The one message protocol between the extension (src/vscode/sidebar) and the sidebar webview
// (webview/). Both sides import these types, and both validate what they receive at runtime with the
// guards below: a webview is a web page, so nothing it posts is trusted, and the webview in turn
// ignores anything that is not a well-formed host message. No imports: this file is compiled for
// Node and for the browser.

export type StyleLevel = 1 | 2 | 3 | 4 | 5;
export type PromptModeView = 'directive' | 'rubric';
export type Decision = 'pending' | 'accepted' | 'rejected' | 'edited';

export interface StyleChoice {
  rubricId: string;
  level: StyleLevel;
}

export interface CriterionView {
  name: string;
  /** Percent of the rubric's score. */
  weight: number;
  /** What the criterion looks like at levels 1..5 (index 0 = level 1). */
  levels: string[];
}

export interface RubricView {
  id: string;
  title: string;
  summary: string;
  /** Level names, index 0 = level 1; always 5. */
  levels: string[];
  criteria: CriterionView[];
  /** Authored CPT directives by level ("1".."5"); levels without one get a derived directive. */
  directives: Partial<Record<'1' | '2' | '3' | '4' | '5', string>>;
  builtin: boolean;
}

export interface ProblemView {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ModelStatus {
  state: 'none' | 'loading' | 'ready' | 'error';
  /** Model name (GGUF general.name or file name) when one is chosen. */
  name?: string;
  /** 0..100 while loading (download or load). */
  percent?: number;
  backend?: 'cpu' | 'cuda' | 'vulkan' | 'metal';
  gpuLayers?: number;
  totalLayers?: number;
  /** Something the writer should know, e.g. "random weights: output is gibberish" or a GPU fallback. */
  warning?: string;
  /** Why loading failed (state 'error'). */
  error?: string;
}

export interface RewriteStats {
  promptTokens: number;
  reusedPromptTokens: number;
  outputTokens: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  totalMs: number;
}

/** One step of a rewrite, in order: started, token*, then exactly one of done / error / cancelled. */
export type RewriteStreamEvent =
  | { type: 'started'; id: string; rubricId: string; level: StyleLevel; original: string }
  | { type: 'token'; id: string; text: string }
  | { type: 'done'; id: string; text: string; stats: RewriteStats }
  | { type: 'error'; id: string; message: string }
  | { type: 'cancelled'; id: string };

export interface HistoryEntry {
  /** The rewrite's id (the same as in RewriteStreamEvent and the feedback log). */
  id: string;
  /** ISO time the rewrite started. */
  time: string;
  rubricId: string;
  level: StyleLevel;
  original: string;
  output: string;
  decision: Decision;
}

/** The rewrite the sidebar shows: the latest one, with its streamed text so far. */
export interface RewriteView {
  id: string;
  rubricId: string;
  level: StyleLevel;
  phase: 'streaming' | 'done' | 'error' | 'cancelled';
  text: string;
  stats?: RewriteStats;
  error?: string;
}

export interface SidebarState {
  rubrics: RubricView[];
  problems: ProblemView[];
  style: StyleChoice;
  promptMode: PromptModeView;
  model: ModelStatus;
  history: HistoryEntry[];
  rewrite?: RewriteView;
}

export type HostToWebview =
  | { type: 'state'; state: SidebarState }
  | { type: 'rubrics'; rubrics: RubricView[]; problems: ProblemView[]; promptMode: PromptModeView }
  | { type: 'style'; style: StyleChoice; promptMode: PromptModeView }
  | { type: 'model'; model: ModelStatus; promptMode: PromptModeView }
  | { type: 'history'; history: HistoryEntry[] }
  | { type: 'rewrite'; event: RewriteStreamEvent };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'setStyle'; style: StyleChoice }
  | { type: 'rewrite' }
  | { type: 'cancel' }
  | { type: 'accept'; id: string }
  | { type: 'reject'; id: string }
  | { type: 'selectModel' }
  | { type: 'newRubric' }
  | { type: 'openProblem'; index: number };

// ---------------------------------------------------------------------------------------------
// Runtime validation. A tiny structural checker: each Check returns true when the value has the
// shape. Objects are closed (unknown keys fail), so a message from a newer or hostile sender is
// rejected rather than half-understood.

type Check = (v: unknown) => boolean;

/** Longest string accepted (characters); far above any selection a writer rewrites. */
const MAX_TEXT = 10_000_000;
const str: Check = (v) => typeof v === 'string' && v.length <= MAX_TEXT;
const nonEmptyStr: Check = (v) => str(v) && (v as string).length > 0;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNegInt: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const bool: Check = (v) => typeof v === 'boolean';
const oneOf = (...values: readonly unknown[]): Check => (v) => values.includes(v);
const level: Check = oneOf(1, 2, 3, 4, 5);
const arrayOf = (item: Check, length?: number): Check => (v) =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every(item);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A closed object: `required` keys must pass, `optional` keys may be absent (or undefined), nothing else. */
const obj = (required: Record<string, Check>, optional: Record<string, Check> = {}): Check => (v) => {
  if (!isPlainObject(v)) return false;
  for (const [k, check] of Object.entries(required)) {
    if (!Object.prototype.hasOwnProperty.call(v, k) || !check(v[k])) return false;
  }
  for (const k of Object.keys(v)) {
    if (k in required) continue;
    const check = Object.prototype.hasOwnProperty.call(optional, k) ? optional[k] : undefined;
    if (!check) return false;
    if (v[k] !== undefined && !check(v[k])) return false;
  }
  return true;
};

/** A tagged union on `type`: picks the variant by tag, then checks it. */
const tagged = (variants: Record<string, Check>): Check => (v) => {
  if (!isPlainObject(v) || typeof v.type !== 'string') return false;
  const check = Object.prototype.hasOwnProperty.call(variants, v.type) ? variants[v.type] : undefined;
  return check !== undefined && check(v);
};
const t = (type: string): Check => oneOf(type);

const styleChoice = obj({ rubricId: nonEmptyStr, level });
// The host may report a style whose rubric id is empty (nothing configured yet); the webview shows
// that as "no rubric" rather than dropping the whole state.
const hostStyleChoice = obj({ rubricId: str, level });
const promptMode = oneOf('directive', 'rubric');
const decision = oneOf('pending', 'accepted', 'rejected', 'edited');

const criterionView = obj({ name: str, weight: num, levels: arrayOf(str, 5) });
const directives = obj({}, { 1: str, 2: str, 3: str, 4: str, 5: str });
const rubricView = obj({
  id: nonEmptyStr, title: str, summary: str, levels: arrayOf(str, 5), criteria: arrayOf(criterionView),
  directives, builtin: bool,
});
const problemView = obj({ file: str, line: nonNegInt, col: nonNegInt, message: str, severity: oneOf('error', 'warning') });
const modelStatus = obj({ state: oneOf('none', 'loading', 'ready', 'error') }, {
  name: str, percent: num, backend: oneOf('cpu', 'cuda', 'vulkan', 'metal'), gpuLayers: nonNegInt,
  totalLayers: nonNegInt, warning: str, error: str,
});
const rewriteStats = obj({
  promptTokens: nonNegInt, reusedPromptTokens: nonNegInt, outputTokens: nonNegInt,
  timeToFirstTokenMs: num, tokensPerSecond: num, totalMs: num,
});
const rewriteEvent = tagged({
  started: obj({ type: t('started'), id: nonEmptyStr, rubricId: nonEmptyStr, level, original: str }),
  token: obj({ type: t('token'), id: nonEmptyStr, text: str }),
  done: obj({ type: t('done'), id: nonEmptyStr, text: str, stats: rewriteStats }),
  error: obj({ type: t('error'), id: nonEmptyStr, message: str }),
  cancelled: obj({ type: t('cancelled'), id: nonEmptyStr }),
});
const historyEntry = obj({
  id: nonEmptyStr, time: str, rubricId: nonEmptyStr, level, original: str, output: str, decision,
});
const rewriteView = obj(
  { id: nonEmptyStr, rubricId: nonEmptyStr, level, phase: oneOf('streaming', 'done', 'error', 'cancelled'), text: str },
  { stats: rewriteStats, error: str },
);
const sidebarState = obj(
  {
    rubrics: arrayOf(rubricView), problems: arrayOf(problemView), style: hostStyleChoice, promptMode,
    model: modelStatus, history: arrayOf(historyEntry),
  },
  { rewrite: rewriteView },
);

const hostToWebview = tagged({
  state: obj({ type: t('state'), state: sidebarState }),
  rubrics: obj({ type: t('rubrics'), rubrics: arrayOf(rubricView), problems: arrayOf(problemView), promptMode }),
  style: obj({ type: t('style'), style: hostStyleChoice, promptMode }),
  model: obj({ type: t('model'), model: modelStatus, promptMode }),
  history: obj({ type: t('history'), history: arrayOf(historyEntry) }),
  rewrite: obj({ type: t('rewrite'), event: rewriteEvent }),
});

const webviewToHost = tagged({
  ready: obj({ type: t('ready') }),
  setStyle: obj({ type: t('setStyle'), style: styleChoice }),
  rewrite: obj({ type: t('rewrite') }),
  cancel: obj({ type: t('cancel') }),
  accept: obj({ type: t('accept'), id: nonEmptyStr }),
  reject: obj({ type: t('reject'), id: nonEmptyStr }),
  selectModel: obj({ type: t('selectModel') }),
  newRubric: obj({ type: t('newRubric') }),
  openProblem: obj({ type: t('openProblem'), index: nonNegInt }),
});

/** The extension's guard for what the webview posts. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  return webviewToHost(m);
}

/** The webview's guard for what the extension posts. */
export function isHostToWebview(m: unknown): m is HostToWebview {
  return hostToWebview(m);
}

/** Guards for pieces the webview restores from vscode.getState() (which may be from an older version). */
export function isSidebarState(v: unknown): v is SidebarState {
  return sidebarState(v);
}

/** A short description of a rejected message for the log: its type tag if any, never its content. */
export function describeMessage(m: unknown): string {
  if (isPlainObject(m) && typeof m.type === 'string') return `type ${JSON.stringify(m.type.slice(0, 40))}`;
  if (m === null) return 'null';
  return Array.isArray(m) ? 'an array' : `a ${typeof m}`;
}
