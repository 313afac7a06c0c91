// The one open rewrite in the editor as a pure state machine: `reduceSession(state, event)` gives the next
// state, and everything the writer sees (the preview zone, the CodeLens, the decorations, the context
// keys, the sidebar's snapshot) is drawn from that state by the presenter (src/vscode/preview/presenter.ts).
// No `vscode` import: unit-tested in plain Node (test/unit/rewrite-session.test.ts).
//
// Rules: a generation (started … finished) belongs to its `generation` number, so the late tokens of a
// cancelled or regenerated stream are ignored; an edit inside the target (or one that swallows it) ends the
// session as a conflict, an edit elsewhere moves the target; once ended, nothing changes the state (an
// accept after a cancel does nothing). The accepted range is the session's own: where the proposal was
// written, in the document's offsets, not inferred from the next change.
import { shiftRangeAll, type TextChange } from '../feedback/range-tracking';
import type { GenerateResult } from '../engine/types';
import type { RewriteRecord } from './types';
import type { TextRange, WordDiff } from './word-diff';
import { allTaken, mixText, type ProposalChange } from './changes';

export type SessionPhase = 'preparing' | 'streaming' | 'preview';
export type EndOutcome = 'accepted' | 'rejected' | 'cancelled' | 'conflict' | 'error' | 'empty';

/** One part of a proposal: where it is in the proposal's text, and what the feedback log knows of it. */
export interface ProposalPart {
  /** The feedback-log id of the part's rewrite; undefined when the model gave nothing usable (original kept). */
  rewriteId?: string;
  /** The rewrite event logged for the part (with the exact prompt it was rewritten with). */
  record?: RewriteRecord;
  /** Where the part's replacement is in the proposal's text. */
  range: TextRange;
  /** The part of the original it replaces. */
  original: string;
}

/** A finished proposal for the session's text. */
export interface Proposal {
  /** The preview's id (stream events, history, the sidebar's Accept): its first logged rewrite's id. */
  id: string;
  text: string;
  parts: ProposalPart[];
  markupLost: string[];
  /** Why the proposal may be incomplete, if it may. */
  cutOff?: string;
  /** Word marks, computed once when the proposal is complete (undefined when the diff took too long). */
  diff?: WordDiff;
  /** The changes the writer can take or leave one by one (undefined: the diff took too long; whole only). */
  changes?: ProposalChange[];
  result: GenerateResult;
  /**
   * Best-of-N: the judge's verdict on this candidate; `index` is its place in the logged candidates,
   * `written` its place in writing order (the stream it came from).
   */
  candidate?: { index: number; written?: number; score: number; critique: string };
}

/** A part that ended up in the document after an accept: offsets into the accepted text. */
export interface AcceptedPart {
  rewriteId: string;
  /** Best-of-N: which logged candidate of the rewrite this is, so later decisions name the same one. */
  candidate?: number;
  start: number;
  end: number;
  original: string;
  /** Per-change accept: the writer's mix of the proposal, logged as edited (so edited back to it stays edited). */
  mixed?: boolean;
}

export interface SessionEnded {
  outcome: EndOutcome;
  message?: string;
  proposal?: string;
  rewriteId?: string;
  /** accepted: the parts with a logged rewrite, where each landed in `proposal` (as written). */
  parts?: AcceptedPart[];
  /** accepted: where `proposal` was written in the document (offsets), so nothing has to be inferred. */
  range?: TextRange;
}

/** Best-of-N while generating: which candidate is being written, or that all are being judged. */
export type Activity = { kind: 'candidate'; index: number; count: number } | { kind: 'judging'; count: number };

export interface SessionState {
  phase: SessionPhase;
  /** The target's offsets in the document (moved by edits elsewhere). */
  start: number;
  end: number;
  original: string;
  /** Bumped per generation: events of another generation are ignored. */
  generation: number;
  /** The id of the current generation (stream events, history, the feedback log). */
  rewriteId?: string;
  /** The proposal as it streams (cleaned as it comes; separators and kept parts included); best-of-N: the
   * candidate in focus. */
  streamed: string;
  /** Best-of-N while generating: every candidate's text so far, in writing order ([] for a single rewrite). */
  streams: string[];
  /** Best-of-N while generating: the candidate shown (writing order). */
  focus: number;
  /** The writer stepped to another candidate while they streamed: the focus no longer follows the writing. */
  stepped: boolean;
  /** "part 2 of 3" while a text is rewritten in parts. */
  progress?: { index: number; count: number };
  activity?: Activity;
  /** The finished proposals and the one shown. */
  proposals: Proposal[];
  index: number;
  /** Best-of-N: the level's target score the candidates were judged against. */
  target?: number;
  /** Accept is waiting for the writer's answer about lost markup. */
  confirming: boolean;
  /** Per-change accept on the proposal shown: taken[k] for its change k (all taken when it is shown). */
  taken: boolean[];
  /** The change the keys act on (-1: none yet; the first key press picks the first or last). */
  changeFocus: number;
  ended?: SessionEnded;
}

export type SessionEvent =
  /** A generation starts streaming (the first, or a Regenerate). */
  | { type: 'started'; generation: number; rewriteId: string }
  /** `candidate`: best-of-N, the candidate (writing order) the piece belongs to. */
  | { type: 'token'; generation: number; text: string; candidate?: number }
  /** Best-of-N: a new candidate streams from the start; or the parts / judging progress changed. */
  | { type: 'progress'; generation: number; progress?: { index: number; count: number }; activity?: Activity }
  | { type: 'restart'; generation: number }
  | { type: 'candidate'; by: number }
  | { type: 'finished'; generation: number; proposals: Proposal[]; target?: number }
  | { type: 'failed'; message: string; outcome?: 'error' | 'empty' }
  | { type: 'confirming'; value: boolean }
  | { type: 'accepted'; text: string; parts: AcceptedPart[] }
  | { type: 'rejected' }
  | { type: 'cancelled'; message?: string }
  | { type: 'regenerating' }
  | { type: 'document-changed'; changes: TextChange[] }
  /** The target's text is no longer the original (found at Accept): as an edit inside it. */
  | { type: 'conflict' }
  /** Per-change accept: move the focus to the next (1) or previous (-1) change, wrapping around. */
  | { type: 'change-step'; by: number }
  /** Per-change accept: take a left change or leave a taken one (`change`, else the one in focus). */
  | { type: 'change-toggle'; change?: number }
  /** Per-change accept: take every change, or leave every one. */
  | { type: 'change-all'; take: boolean };

/** The per-change accept events. */
export type ChangeEvent = Extract<SessionEvent, { type: 'change-step' | 'change-toggle' | 'change-all' }>;

/** A new session for `original` at [start, end), preparing its first generation. */
export function createSession(start: number, end: number, original: string): SessionState {
  return {
    phase: 'preparing',
    start,
    end,
    original,
    generation: 0,
    streamed: '',
    streams: [],
    focus: 0,
    stepped: false,
    proposals: [],
    index: 0,
    confirming: false,
    taken: [],
    changeFocus: -1,
  };
}

/** A proposal's changes all taken, none in focus: how every proposal is first shown. */
function freshChanges(p: Proposal | undefined): Pick<SessionState, 'taken' | 'changeFocus'> {
  return { taken: (p?.changes ?? []).map(() => true), changeFocus: -1 };
}

/**
 * What Accept writes for the proposal shown: its text with the left changes' original words put back.
 * `whole` when every change is taken (the proposal as the model wrote it, recorded as accepted).
 */
export function shownMix(s: SessionState): { text: string; whole: boolean } | undefined {
  const p = shownProposal(s);
  if (!p) return undefined;
  if (!p.changes || allTaken(p.changes, s.taken)) return { text: p.text, whole: true };
  return { text: mixText(s.original, p.text, p.changes, s.taken), whole: false };
}

/** The proposal shown, once there is one. */
export function shownProposal(s: SessionState): Proposal | undefined {
  return s.phase === 'preview' && !s.ended ? s.proposals[s.index] : undefined;
}

/** The next state; `s` itself when the event changes nothing (stale, or the session has ended). */
export function reduceSession(s: SessionState, e: SessionEvent): SessionState {
  if (s.ended) return s;
  const current = (generation: number) => generation === s.generation && s.phase === 'streaming';
  switch (e.type) {
    case 'started':
      if (e.generation <= s.generation) return s;
      return {
        ...s,
        phase: 'streaming',
        generation: e.generation,
        rewriteId: e.rewriteId,
        streamed: '',
        streams: [],
        focus: 0,
        stepped: false,
        proposals: [],
        index: 0,
        progress: undefined,
        activity: undefined,
        target: undefined,
        ...freshChanges(undefined),
      };
    case 'token':
      if (!current(e.generation) || !e.text) return s;
      return e.candidate === undefined
        ? { ...s, streamed: s.streamed + e.text }
        : candidateToken(s, e.candidate, e.text);
    case 'restart':
      return current(e.generation) ? { ...s, streamed: '' } : s;
    case 'progress':
      return current(e.generation) ? progressed(s, e.progress, e.activity) : s;
    case 'finished': {
      if (!current(e.generation) || !e.proposals.length) return s;
      // The best candidate first, unless the writer chose one to read while they streamed: that one stays.
      const kept = s.stepped ? e.proposals.findIndex((p) => p.candidate?.written === s.focus) : -1;
      return {
        ...s,
        phase: 'preview',
        proposals: e.proposals,
        index: Math.max(0, kept),
        ...freshChanges(e.proposals[Math.max(0, kept)]),
        target: e.target,
        progress: undefined,
        activity: undefined,
        streams: [],
        focus: 0,
        stepped: false,
      };
    }
    case 'candidate': {
      if (s.phase === 'streaming' && s.streams.length > 1) return stepStream(s, e.by);
      const count = s.proposals.length;
      if (s.phase !== 'preview' || count < 2 || s.confirming) return s;
      const index = (((s.index + Math.sign(e.by)) % count) + count) % count;
      return { ...s, index, ...freshChanges(s.proposals[index]) };
    }
    case 'confirming':
      return s.phase === 'preview' ? { ...s, confirming: e.value } : s;
    case 'regenerating':
      if (s.phase !== 'preview') return s;
      return {
        ...s,
        phase: 'preparing',
        proposals: [],
        index: 0,
        streamed: '',
        streams: [],
        focus: 0,
        stepped: false,
        progress: undefined,
        rewriteId: undefined,
        ...freshChanges(undefined),
      };
    case 'failed':
      return end(s, { outcome: e.outcome ?? 'error', message: e.message });
    case 'cancelled':
      return end(s, { outcome: 'cancelled', ...(e.message ? { message: e.message } : {}) });
    case 'rejected': {
      const p = shownProposal(s);
      if (!p) return end(s, { outcome: 'cancelled' });
      return end(s, { outcome: 'rejected', proposal: p.text, rewriteId: p.id });
    }
    case 'accepted': {
      const p = shownProposal(s);
      if (!p) return s;
      return end(s, {
        outcome: 'accepted',
        proposal: e.text,
        rewriteId: p.id,
        parts: e.parts,
        range: { start: s.start, end: s.start + e.text.length },
      });
    }
    case 'document-changed': {
      if (!e.changes.length) return s;
      const moved = shiftRangeAll(s, e.changes);
      if (moved && !moved.touched) return { ...s, start: moved.start, end: moved.end };
      return conflict(s);
    }
    case 'conflict':
      return conflict(s);
    case 'change-step':
    case 'change-toggle':
    case 'change-all':
      return changed(s, e);
  }
}

/** Per-change accept on the proposal shown; nothing while Accept asks about lost markup. */
function changed(s: SessionState, e: ChangeEvent): SessionState {
  const count = shownProposal(s)?.changes?.length ?? 0;
  if (!count || s.confirming) return s;
  switch (e.type) {
    case 'change-step': {
      const by = Math.sign(e.by);
      if (!by) return s;
      const changeFocus =
        s.changeFocus < 0 ? (by > 0 ? 0 : count - 1) : (((s.changeFocus + by) % count) + count) % count;
      return { ...s, changeFocus };
    }
    case 'change-toggle': {
      const k = e.change ?? Math.max(0, s.changeFocus);
      if (!Number.isInteger(k) || k < 0 || k >= count) return s;
      const taken = [...s.taken];
      taken[k] = !taken[k];
      return { ...s, taken, changeFocus: k };
    }
    case 'change-all':
      if (s.taken.every((t) => t === e.take)) return s;
      return { ...s, taken: s.taken.map(() => e.take) };
  }
}

/** Best-of-N: a piece of candidate `c`'s stream; the shown text follows when `c` is in focus. */
function candidateToken(s: SessionState, c: number, text: string): SessionState {
  if (!Number.isInteger(c) || c < 0) return s;
  const streams = [...s.streams];
  while (streams.length <= c) streams.push('');
  streams[c] += text;
  return { ...s, streams, ...(c === s.focus ? { streamed: streams[c] } : {}) };
}

/**
 * Parts or best-of progress. A candidate starting makes room for every candidate's stream and, until the
 * writer steps, brings it into focus (one after another, the zone follows the one being written); the
 * activity names the candidate in focus.
 */
function progressed(s: SessionState, progress: SessionState['progress'], activity: Activity | undefined): SessionState {
  if (activity?.kind !== 'candidate') return { ...s, progress, activity };
  const streams = [...s.streams];
  while (streams.length < activity.count) streams.push('');
  const focus = s.stepped ? s.focus : Math.min(activity.index, streams.length - 1);
  return {
    ...s,
    progress,
    activity: { ...activity, index: focus },
    streams,
    focus,
    streamed: streams[focus] ?? '',
  };
}

/** Best-of-N while streaming: the next or previous candidate's stream comes into focus, wrapping around. */
function stepStream(s: SessionState, by: number): SessionState {
  const count = s.streams.length;
  const focus = (((s.focus + Math.sign(by)) % count) + count) % count;
  const activity = s.activity?.kind === 'candidate' ? { ...s.activity, index: focus } : s.activity;
  return { ...s, focus, stepped: true, streamed: s.streams[focus] ?? '', activity };
}

/** The writer edited the text being rewritten: end, offering what was proposed or streamed. */
function conflict(s: SessionState): SessionState {
  const shown = shownProposal(s);
  const proposal = shown?.text ?? s.streamed;
  const rewriteId = shown?.id ?? s.rewriteId;
  return end(s, { outcome: 'conflict', ...(proposal ? { proposal } : {}), ...(rewriteId ? { rewriteId } : {}) });
}

function end(s: SessionState, ended: SessionEnded): SessionState {
  return { ...s, ended, generation: s.generation + 1 };
}

/** Best-of-N: the candidate shown, as the preview and the sidebar present it; undefined for a single rewrite. */
export function shownCandidate(
  s: SessionState,
): { index: number; count: number; score: number; target: number; critique: string } | undefined {
  const c = shownProposal(s)?.candidate;
  if (!c || s.target === undefined) return undefined;
  return { index: c.index, count: s.proposals.length, score: c.score, target: s.target, critique: c.critique };
}
