// The one message protocol between the extension (src/vscode/sidebar) and the sidebar webview
// (webview/). Every message is declared once, below, as a valibot schema with its direction and purpose;
// the TypeScript types both sides import are inferred from those schemas, so the runtime checks cannot
// drift from the types. Both sides validate what they receive: a webview is a web page, so nothing it
// posts is trusted, and the webview in turn ignores anything that is not a well-formed host message.
// Objects are closed (unknown keys fail) and plain, so a message from a newer or hostile sender is
// rejected rather than half-understood.
//
// This file is compiled for Node and bundled for the browser, so besides valibot (tree-shaken: only the
// schema functions used here are bundled) it imports only types (`import type`, which the browser bundle
// erases), and only from core type modules that use neither `vscode` nor Node: a level is the rubrics'
// Level, a prompt mode the prompts' PromptMode, a decision the feedback log's Decision, rewrite stats the
// engine's GenerateResult without its text.
import * as v from 'valibot';
import type { Backend, GenerateResult } from '../core/engine/generation';
import type { Decision } from '../core/feedback/types';
import type { PromptMode } from '../core/prompts/types';
import type { Level } from '../core/rubrics/types';

/** Compiles only when A and B are the same type: a schema's picklist cannot drift from the core union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const same = <A, B>(ok: Same<A, B>): Same<A, B> => ok;

/** Longest string accepted (characters); far above any selection a writer rewrites. */
const MAX_TEXT = 10_000_000;
const str = v.pipe(v.string(), v.maxLength(MAX_TEXT));
const nonEmptyStr = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TEXT));
const num = v.pipe(v.number(), v.finite());
const nonNegInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const strings = v.array(str);
const fiveStrings = v.pipe(v.array(str), v.length(5));
const level = v.picklist([1, 2, 3, 4, 5]);
same<v.InferOutput<typeof level>, Level>(true);
const promptMode = v.picklist(['directive', 'rubric', 'plain']);
same<v.InferOutput<typeof promptMode>, PromptMode>(true);
const backend = v.picklist(['cpu', 'cuda', 'vulkan', 'metal']);
same<v.InferOutput<typeof backend>, Backend>(true);

/**
 * A style by id: a rubric's id and a level. What the writer picks, what is stored as the current
 * style, and what the sidebar sends; the resolved form, with the loaded rubric, is core/rewrite's Style.
 */
const styleChoice = v.strictObject({ rubricId: nonEmptyStr, level });
export type StyleChoice = v.InferOutput<typeof styleChoice>;
// The host may report a style whose rubric id is empty (nothing configured yet); the webview shows
// that as "no rubric" rather than dropping the whole state.
const hostStyleChoice = v.strictObject({ rubricId: str, level });

/**
 * A history entry's decision: the feedback log's latest Decision for it (an undo after Accept is a
 * rejection, an edit after it an edit), 'pending' while the preview is open, or 'cancelled' when it was
 * closed with no decision (nothing logged).
 */
const historyDecision = v.picklist(['pending', 'cancelled', 'accepted', 'rejected', 'edited']);
export type HistoryDecision = v.InferOutput<typeof historyDecision>;
same<HistoryDecision, 'pending' | 'cancelled' | Decision>(true);

const criterionView = v.strictObject({
  name: str,
  /** Percent of the rubric's score. */
  weight: num,
  /** What the criterion looks like at levels 1..5 (index 0 = level 1). */
  levels: fiveStrings,
});
export type CriterionView = v.InferOutput<typeof criterionView>;

/** What the sidebar shows of a loaded rubric (no file path, hash or judge notes). */
const rubricView = v.strictObject({
  id: nonEmptyStr,
  title: str,
  summary: str,
  /** Level names, index 0 = level 1; always 5. */
  levels: fiveStrings,
  criteria: v.array(criterionView),
  /** Authored CPT directives by level ("1".."5"); levels without one get a derived directive. */
  directives: v.strictObject({
    1: v.optional(str),
    2: v.optional(str),
    3: v.optional(str),
    4: v.optional(str),
    5: v.optional(str),
  }),
  builtin: v.boolean(),
});
export type RubricView = v.InferOutput<typeof rubricView>;

/** A broken rubric file's problem, with its path relative to the workspace. */
const problemView = v.strictObject({
  file: str,
  line: nonNegInt,
  col: nonNegInt,
  message: str,
  severity: v.picklist(['error', 'warning']),
});
export type ProblemView = v.InferOutput<typeof problemView>;

/** What the sidebar shows of the model service's ModelStatus (src/vscode/model/model-service.ts). */
const modelStatusView = v.strictObject({
  state: v.picklist(['none', 'loading', 'ready', 'error']),
  /** Model name (GGUF general.name or file name) when one is chosen. */
  name: v.optional(str),
  /** 0..100 while loading (download or load). */
  percent: v.optional(num),
  backend: v.optional(backend),
  gpuLayers: v.optional(nonNegInt),
  totalLayers: v.optional(nonNegInt),
  /** Something the writer should know, e.g. "random weights: output is gibberish" or a GPU fallback. */
  warning: v.optional(str),
  /** Why loading failed (state 'error'). */
  error: v.optional(str),
  /**
   * state 'none' with a name: the model was loaded and has been unloaded to free memory (it reloads on
   * the next rewrite).
   */
  unloaded: v.optional(v.boolean()),
  /** state 'ready': the LoRA adapters applied, as "name ×scale". */
  adapters: v.optional(strings),
});
export type ModelStatusView = v.InferOutput<typeof modelStatusView>;

/** Token counts and timings of a finished rewrite: the engine's GenerateResult less its text and stop reason. */
const rewriteStats = v.strictObject({
  promptTokens: nonNegInt,
  reusedPromptTokens: nonNegInt,
  restoredPromptTokens: v.optional(nonNegInt),
  outputTokens: nonNegInt,
  timeToFirstTokenMs: num,
  tokensPerSecond: num,
  totalMs: num,
});
export type RewriteStats = v.InferOutput<typeof rewriteStats>;
same<RewriteStats, Omit<GenerateResult, 'text' | 'stopReason'>>(true);
/** Best-of-N: which candidate the sidebar shows, and its judged score against the target. */
const candidateInfo = v.strictObject({ index: nonNegInt, count: nonNegInt, score: num, target: num, critique: str });
export type CandidateInfo = v.InferOutput<typeof candidateInfo>;

const historyEntry = v.strictObject({
  /** The rewrite's id (the same as in RewriteStreamEvent and the feedback log). */
  id: nonEmptyStr,
  /** ISO time the rewrite started. */
  time: str,
  rubricId: nonEmptyStr,
  level,
  original: str,
  output: str,
  decision: historyDecision,
});
export type HistoryEntry = v.InferOutput<typeof historyEntry>;

/** The rewrite the sidebar shows: the latest one, with its streamed text so far. */
const rewriteView = v.strictObject({
  id: nonEmptyStr,
  rubricId: nonEmptyStr,
  level,
  phase: v.picklist(['streaming', 'done', 'error', 'cancelled']),
  text: str,
  stats: v.optional(rewriteStats),
  error: v.optional(str),
  /** The writer's one-off note for this rewrite. */
  note: v.optional(str),
  /** done: what of the original's markup the proposal lost or altered. */
  markupLost: v.optional(strings),
  /** done: why the proposal may be incomplete. */
  cutOff: v.optional(str),
  /** Best-of-N: the candidate shown. */
  candidate: v.optional(candidateInfo),
});
export type RewriteView = v.InferOutput<typeof rewriteView>;

/**
 * The style check of the document in the active editor, as the sidebar's histogram shows it: how many of
 * its scored paragraphs read at each level. A click on a level asks the host for 'revealLevel'.
 */
const styleCheckView = v.strictObject({
  /** The checked document's file name (shown, never opened from here). */
  document: str,
  rubricId: nonEmptyStr,
  /** The rubric's title as loaded when the check ran. */
  rubricTitle: str,
  /** The level names of that rubric, index 0 = level 1. */
  levels: fiveStrings,
  /** The target level, when the check had one. */
  target: v.optional(level),
  /** Scored paragraphs per level, index 0 = level 1. */
  counts: v.pipe(v.array(nonNegInt), v.length(5)),
  /** Paragraphs off the target by a level or more. */
  offTarget: nonNegInt,
});
export type StyleCheckView = v.InferOutput<typeof styleCheckView>;

/** Everything the sidebar renders; the host sends it whole on every 'ready'. */
const sidebarState = v.strictObject({
  rubrics: v.array(rubricView),
  problems: v.array(problemView),
  style: hostStyleChoice,
  promptMode,
  model: modelStatusView,
  history: v.array(historyEntry),
  rewrite: v.optional(rewriteView),
  /** The active document's style check, when it has one. */
  styleCheck: v.optional(styleCheckView),
});
export type SidebarState = v.InferOutput<typeof sidebarState>;

/** Host → webview. The host posts nothing before the webview's 'ready'. */
const hostToWebview = v.variant('type', [
  /** The whole state, in answer to every 'ready' (the page is rebuilt on each show). */
  v.strictObject({ type: v.literal('state'), state: sidebarState }),
  /** The rubrics were reloaded (a file changed, a folder or trust changed). */
  v.strictObject({
    type: v.literal('rubrics'),
    rubrics: v.array(rubricView),
    problems: v.array(problemView),
    promptMode,
  }),
  /** The current style changed, here or elsewhere (palette, status bar, settings). */
  v.strictObject({ type: v.literal('style'), style: hostStyleChoice, promptMode }),
  /** The model's status changed (or cptWriter.promptMode did). */
  v.strictObject({ type: v.literal('model'), model: modelStatusView, promptMode }),
  /** A rewrite was added to the history, or a decision was made on one. */
  v.strictObject({ type: v.literal('history'), history: v.array(historyEntry) }),
  /**
   * The latest rewrite, started from anywhere, as the preview's session state shows it (streamed text
   * arrives batched); the webview replaces its copy.
   */
  v.strictObject({ type: v.literal('rewrite'), rewrite: rewriteView }),
  /** A style check finished or was cleared, or another editor became active (no key: nothing checked there). */
  v.strictObject({ type: v.literal('styleCheck'), styleCheck: v.optional(styleCheckView) }),
]);
export type HostToWebview = v.InferOutput<typeof hostToWebview>;

/** Webview → host. Untrusted: the host validates each one and acts only through its typed deps. */
const webviewToHost = v.variant('type', [
  /** The page is loaded and listening; answered with 'state'. */
  v.strictObject({ type: v.literal('ready') }),
  /** The writer chose a rubric or moved the level slider (debounced). */
  v.strictObject({ type: v.literal('setStyle'), style: styleChoice }),
  /**
   * Rewrite Selection (or the paragraph at the cursor) with the current style in the active editor, with
   * the writer's one-off note from the sidebar's note field, if any.
   */
  v.strictObject({ type: v.literal('rewrite'), note: v.optional(str) }),
  /** Cancel the rewrite that is streaming. */
  v.strictObject({ type: v.literal('cancel') }),
  /** Accept the preview of rewrite `id` (ignored unless it is the one in preview). */
  v.strictObject({ type: v.literal('accept'), id: nonEmptyStr }),
  /** Reject the preview of rewrite `id` (ignored unless it is the one in preview). */
  v.strictObject({ type: v.literal('reject'), id: nonEmptyStr }),
  /** Show the next (1) or previous (-1) best-of-N candidate of rewrite `id`. */
  v.strictObject({ type: v.literal('stepCandidate'), id: nonEmptyStr, step: v.picklist([1, -1]) }),
  /** Select Model…. */
  v.strictObject({ type: v.literal('selectModel') }),
  /** New Rubric…. */
  v.strictObject({ type: v.literal('newRubric') }),
  /** Open the rubric file of problem `index` in the last list sent (never a path). */
  v.strictObject({ type: v.literal('openProblem'), index: nonNegInt }),
  /** A histogram bar was clicked: reveal the next paragraph of the checked document that reads at `level`. */
  v.strictObject({ type: v.literal('revealLevel'), level }),
]);
export type WebviewToHost = v.InferOutput<typeof webviewToHost>;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Whether every object inside `x` is a plain object or a real array: a schema accepts a class instance or
 * an object inheriting its keys, which a structured clone would not carry as they look. Called only after
 * the schema passed, so the depth is the schema's.
 */
function allPlain(x: unknown): boolean {
  if (Array.isArray(x)) return Object.getPrototypeOf(x) === Array.prototype && x.every(allPlain);
  if (typeof x !== 'object' || x === null) return true;
  return isPlainObject(x) && Object.keys(x).every((k) => allPlain(x[k]));
}

/** The extension's guard for what the webview posts. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  return v.is(webviewToHost, m) && allPlain(m);
}

/** The webview's guard for what the extension posts. */
export function isHostToWebview(m: unknown): m is HostToWebview {
  return v.is(hostToWebview, m) && allPlain(m);
}

/** Guards for pieces the webview restores from vscode.getState() (which may be from an older version). */
export function isSidebarState(x: unknown): x is SidebarState {
  return v.is(sidebarState, x) && allPlain(x);
}

/** A short description of a rejected message for the log: its type tag if any, never its content. */
export function describeMessage(m: unknown): string {
  if (isPlainObject(m) && typeof m.type === 'string') return `type ${JSON.stringify(m.type.slice(0, 40))}`;
  if (m === null) return 'null';
  return Array.isArray(m) ? 'an array' : `a ${typeof m}`;
}
