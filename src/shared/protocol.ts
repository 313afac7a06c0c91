// The one message protocol between the extension (src/vscode/sidebar) and the sidebar webview
// (webview/). Every message is declared once, below, with its direction and purpose; both sides import
// these types, and both validate what they receive at runtime with the guards further down: a webview
// is a web page, so nothing it posts is trusted, and the webview in turn ignores anything that is not a
// well-formed host message.
//
// This file is compiled for Node and bundled for the browser, so it imports only types (`import type`,
// which the browser bundle erases), and only from core type modules that use neither `vscode` nor Node:
// a level is the rubrics' Level, a prompt mode the prompts' PromptMode, a decision the feedback log's
// Decision, rewrite stats the engine's GenerateResult without its text.
import type { Backend, GenerateResult } from '../core/engine/generation';
import type { Decision } from '../core/feedback/types';
import type { PromptMode } from '../core/prompts/types';
import type { Level } from '../core/rubrics/types';

/**
 * A style by id: a rubric's id and a level. What the writer picks, what is stored as the current
 * style, and what the sidebar sends; the resolved form, with the loaded rubric, is core/rewrite's Style.
 */
export interface StyleChoice {
  rubricId: string;
  level: Level;
}

/** A history entry's decision: the feedback log's Decision, or 'pending' while the preview is open. */
export type HistoryDecision = 'pending' | Decision;

export interface CriterionView {
  name: string;
  /** Percent of the rubric's score. */
  weight: number;
  /** What the criterion looks like at levels 1..5 (index 0 = level 1). */
  levels: string[];
}

/** What the sidebar shows of a loaded rubric (no file path, hash or judge notes). */
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

/** A broken rubric file's problem, with its path relative to the workspace. */
export interface ProblemView {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

/** What the sidebar shows of the model service's ModelStatus (src/vscode/model/model-service.ts). */
export interface ModelStatusView {
  state: 'none' | 'loading' | 'ready' | 'error';
  /** Model name (GGUF general.name or file name) when one is chosen. */
  name?: string;
  /** 0..100 while loading (download or load). */
  percent?: number;
  backend?: Backend;
  gpuLayers?: number;
  totalLayers?: number;
  /** Something the writer should know, e.g. "random weights: output is gibberish" or a GPU fallback. */
  warning?: string;
  /** Why loading failed (state 'error'). */
  error?: string;
  /** state 'none' with a name: the model was loaded and has been unloaded to free memory (it reloads on the next rewrite). */
  unloaded?: boolean;
  /** state 'ready': the LoRA adapters applied, as "name ×scale". */
  adapters?: string[];
}

/** Token counts and timings of a finished rewrite: the engine's GenerateResult less its text and stop reason. */
export type RewriteStats = Omit<GenerateResult, 'text' | 'stopReason'>;

/** One step of a rewrite, in order: started, token*, then exactly one of done / error / cancelled. */
export type RewriteStreamEvent =
  /** A generation began for `original` in this style, with the writer's one-off note if any (a regenerate is a new `started` with a new id). */
  | { type: 'started'; id: string; rubricId: string; level: Level; original: string; note?: string }
  /**
   * The proposal as streamed since the last token event, cleaned as it comes; for a text rewritten in
   * parts it includes the text between the parts, so the tokens add up to the proposal.
   */
  | { type: 'token'; id: string; text: string }
  /**
   * The cleaned proposal is ready and shown as a preview, with what of the original's markup it lost
   * or altered ("lost: \cite{knuth84}") and why it may be incomplete (a cut-off), if it may.
   */
  | { type: 'done'; id: string; text: string; stats: RewriteStats; markupLost?: string[]; cutOff?: string }
  /** The rewrite failed, or could not start (then no `started` came first). */
  | { type: 'error'; id: string; message: string }
  /** Stopped by the writer, by an edit inside the text, or by closing the document. */
  | { type: 'cancelled'; id: string }
  /** Best-of-N: the preview shows candidate `index` of `count`, its judged score against the level's target. */
  | {
      type: 'candidate';
      id: string;
      text: string;
      index: number;
      count: number;
      score: number;
      target: number;
      critique: string;
      markupLost?: string[];
      cutOff?: string;
    };

/** Best-of-N: which candidate the sidebar shows, and its judged score against the target. */
export interface CandidateInfo {
  index: number;
  count: number;
  score: number;
  target: number;
  critique: string;
}

export interface HistoryEntry {
  /** The rewrite's id (the same as in RewriteStreamEvent and the feedback log). */
  id: string;
  /** ISO time the rewrite started. */
  time: string;
  rubricId: string;
  level: Level;
  original: string;
  output: string;
  decision: HistoryDecision;
}

/** The rewrite the sidebar shows: the latest one, with its streamed text so far. */
export interface RewriteView {
  id: string;
  rubricId: string;
  level: Level;
  phase: 'streaming' | 'done' | 'error' | 'cancelled';
  text: string;
  stats?: RewriteStats;
  error?: string;
  /** The writer's one-off note for this rewrite. */
  note?: string;
  /** done: what of the original's markup the proposal lost or altered. */
  markupLost?: string[];
  /** done: why the proposal may be incomplete. */
  cutOff?: string;
  /** Best-of-N: the candidate shown. */
  candidate?: CandidateInfo;
}

/** Everything the sidebar renders; the host sends it whole on every 'ready'. */
export interface SidebarState {
  rubrics: RubricView[];
  problems: ProblemView[];
  style: StyleChoice;
  promptMode: PromptMode;
  model: ModelStatusView;
  history: HistoryEntry[];
  rewrite?: RewriteView;
}

/** Host → webview. The host posts nothing before the webview's 'ready'. */
export type HostToWebview =
  /** Host → webview: the whole state, in answer to every 'ready' (the page is rebuilt on each show). */
  | { type: 'state'; state: SidebarState }
  /** Host → webview: the rubrics were reloaded (a file changed, a folder or trust changed). */
  | { type: 'rubrics'; rubrics: RubricView[]; problems: ProblemView[]; promptMode: PromptMode }
  /** Host → webview: the current style changed, here or elsewhere (palette, status bar, settings). */
  | { type: 'style'; style: StyleChoice; promptMode: PromptMode }
  /** Host → webview: the model's status changed (or cptWriter.promptMode did). */
  | { type: 'model'; model: ModelStatusView; promptMode: PromptMode }
  /** Host → webview: a rewrite was added to the history, or a decision was made on one. */
  | { type: 'history'; history: HistoryEntry[] }
  /** Host → webview: one step of a rewrite started from anywhere (tokens arrive batched). */
  | { type: 'rewrite'; event: RewriteStreamEvent };

/** Webview → host. Untrusted: the host validates each one and acts only through its typed deps. */
export type WebviewToHost =
  /** Webview → host: the page is loaded and listening; answered with 'state'. */
  | { type: 'ready' }
  /** Webview → host: the writer chose a rubric or moved the level slider (debounced). */
  | { type: 'setStyle'; style: StyleChoice }
  /**
   * Webview → host: Rewrite Selection (or the paragraph at the cursor) with the current style in the
   * active editor, with the writer's one-off note from the sidebar's note field, if any.
   */
  | { type: 'rewrite'; note?: string }
  /** Webview → host: Cancel the rewrite that is streaming. */
  | { type: 'cancel' }
  /** Webview → host: Accept the preview of rewrite `id` (ignored unless it is the one in preview). */
  | { type: 'accept'; id: string }
  /** Webview → host: Reject the preview of rewrite `id` (ignored unless it is the one in preview). */
  | { type: 'reject'; id: string }
  /** Webview → host: show the next (1) or previous (-1) best-of-N candidate of rewrite `id`. */
  | { type: 'stepCandidate'; id: string; step: 1 | -1 }
  /** Webview → host: Select Model…. */
  | { type: 'selectModel' }
  /** Webview → host: New Rubric…. */
  | { type: 'newRubric' }
  /** Webview → host: open the rubric file of problem `index` in the last list sent (never a path). */
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
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
/**
 * Exactly the members of union T, written as an object's keys so the compiler rejects a missing or an
 * extra member: the runtime checks below cannot drift from the core types they check.
 */
const members = <T extends PropertyKey>(all: Record<T, true>): string[] => Object.keys(all);
/** A string union's members. */
const memberOf = <T extends string>(all: Record<T, true>): Check => {
  const keys = members(all);
  return (v) => typeof v === 'string' && keys.includes(v);
};
const LEVEL_KEYS = members<Level>({ 1: true, 2: true, 3: true, 4: true, 5: true });
const level: Check = (v) => typeof v === 'number' && LEVEL_KEYS.includes(String(v));
const arrayOf =
  (item: Check, length?: number): Check =>
  (v) =>
    Array.isArray(v) && (length === undefined || v.length === length) && v.every(item);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A closed object: `required` keys must pass, `optional` keys may be absent (or undefined), nothing else. */
const obj =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v) => {
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
const tagged =
  (variants: Record<string, Check>): Check =>
  (v) => {
    if (!isPlainObject(v) || typeof v.type !== 'string') return false;
    const check = Object.prototype.hasOwnProperty.call(variants, v.type) ? variants[v.type] : undefined;
    return check !== undefined && check(v);
  };
const t = (type: string): Check => oneOf(type);

const styleChoice = obj({ rubricId: nonEmptyStr, level });
// The host may report a style whose rubric id is empty (nothing configured yet); the webview shows
// that as "no rubric" rather than dropping the whole state.
const hostStyleChoice = obj({ rubricId: str, level });
const promptMode = memberOf<PromptMode>({ directive: true, rubric: true });
const decision = memberOf<HistoryDecision>({ pending: true, accepted: true, rejected: true, edited: true });

const criterionView = obj({ name: str, weight: num, levels: arrayOf(str, 5) });
const directives = obj({}, { 1: str, 2: str, 3: str, 4: str, 5: str });
const rubricView = obj({
  id: nonEmptyStr,
  title: str,
  summary: str,
  levels: arrayOf(str, 5),
  criteria: arrayOf(criterionView),
  directives,
  builtin: bool,
});
const problemView = obj({
  file: str,
  line: nonNegInt,
  col: nonNegInt,
  message: str,
  severity: oneOf('error', 'warning'),
});
const modelStatusView = obj(
  { state: oneOf('none', 'loading', 'ready', 'error') },
  {
    name: str,
    percent: num,
    backend: memberOf<Backend>({ cpu: true, cuda: true, vulkan: true, metal: true }),
    gpuLayers: nonNegInt,
    totalLayers: nonNegInt,
    warning: str,
    error: str,
    unloaded: bool,
    adapters: arrayOf(str),
  },
);
const rewriteStats = obj(
  {
    promptTokens: nonNegInt,
    reusedPromptTokens: nonNegInt,
    outputTokens: nonNegInt,
    timeToFirstTokenMs: num,
    tokensPerSecond: num,
    totalMs: num,
  },
  { restoredPromptTokens: nonNegInt },
);
const rewriteEvent = tagged({
  started: obj({ type: t('started'), id: nonEmptyStr, rubricId: nonEmptyStr, level, original: str }, { note: str }),
  token: obj({ type: t('token'), id: nonEmptyStr, text: str }),
  done: obj(
    { type: t('done'), id: nonEmptyStr, text: str, stats: rewriteStats },
    { markupLost: arrayOf(str), cutOff: str },
  ),
  error: obj({ type: t('error'), id: nonEmptyStr, message: str }),
  cancelled: obj({ type: t('cancelled'), id: nonEmptyStr }),
  candidate: obj(
    {
      type: t('candidate'),
      id: nonEmptyStr,
      text: str,
      index: nonNegInt,
      count: nonNegInt,
      score: num,
      target: num,
      critique: str,
    },
    { markupLost: arrayOf(str), cutOff: str },
  ),
});
const candidateInfo = obj({ index: nonNegInt, count: nonNegInt, score: num, target: num, critique: str });
const historyEntry = obj({
  id: nonEmptyStr,
  time: str,
  rubricId: nonEmptyStr,
  level,
  original: str,
  output: str,
  decision,
});
const rewriteView = obj(
  { id: nonEmptyStr, rubricId: nonEmptyStr, level, phase: oneOf('streaming', 'done', 'error', 'cancelled'), text: str },
  { stats: rewriteStats, error: str, note: str, markupLost: arrayOf(str), cutOff: str, candidate: candidateInfo },
);
const sidebarState = obj(
  {
    rubrics: arrayOf(rubricView),
    problems: arrayOf(problemView),
    style: hostStyleChoice,
    promptMode,
    model: modelStatusView,
    history: arrayOf(historyEntry),
  },
  { rewrite: rewriteView },
);

const hostToWebview = tagged({
  state: obj({ type: t('state'), state: sidebarState }),
  rubrics: obj({ type: t('rubrics'), rubrics: arrayOf(rubricView), problems: arrayOf(problemView), promptMode }),
  style: obj({ type: t('style'), style: hostStyleChoice, promptMode }),
  model: obj({ type: t('model'), model: modelStatusView, promptMode }),
  history: obj({ type: t('history'), history: arrayOf(historyEntry) }),
  rewrite: obj({ type: t('rewrite'), event: rewriteEvent }),
});

const webviewToHost = tagged({
  ready: obj({ type: t('ready') }),
  setStyle: obj({ type: t('setStyle'), style: styleChoice }),
  rewrite: obj({ type: t('rewrite') }, { note: str }),
  cancel: obj({ type: t('cancel') }),
  accept: obj({ type: t('accept'), id: nonEmptyStr }),
  reject: obj({ type: t('reject'), id: nonEmptyStr }),
  stepCandidate: obj({ type: t('stepCandidate'), id: nonEmptyStr, step: oneOf(1, -1) }),
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
