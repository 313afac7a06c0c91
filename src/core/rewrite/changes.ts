// Per-change accept: the proposal cut into the changes a writer can take or leave one by one, and the
// text that results from a mix of taken and left changes.
//
// A change is one run of differing words between two words the original and the proposal share (or the
// text's start or end). Its span on each side reaches from the end of the shared word before it to the
// start of the shared word after it, so the whitespace around the words travels with them: leaving a
// change puts back the original's words with the original's own spacing, and a left insertion leaves no
// double space behind. Whitespace between shared words is never a change (see word-diff.ts).
// No `vscode` import: unit-tested in plain Node (test/unit/rewrite-changes.test.ts).
import { diffArrays } from 'diff';
import { tokens, type TextRange } from './word-diff';

export interface ProposalChange {
  /** The span of the original this change replaces (may be whitespace only: an insertion). */
  original: TextRange;
  /** The span of the proposal that replaces it (may be whitespace only: a deletion). */
  proposal: TextRange;
}

/**
 * The changes that turn `original` into `proposal`, in order; undefined when the diff takes longer than
 * `timeoutMs` (then the proposal can only be taken whole).
 */
export function proposalChanges(original: string, proposal: string, timeoutMs = 200): ProposalChange[] | undefined {
  const a = tokens(original);
  const b = tokens(proposal);
  const diff = diffArrays(
    a.map((t) => t.text),
    b.map((t) => t.text),
    { timeout: timeoutMs },
  );
  if (!diff) return undefined;
  const changes: ProposalChange[] = [];
  let i = 0;
  let j = 0;
  // The token counts where the current run of differences began (undefined: none open).
  let open: { i: number; j: number } | undefined;
  const close = () => {
    if (!open) return;
    changes.push({
      original: { start: open.i > 0 ? a[open.i - 1].end : 0, end: i < a.length ? a[i].start : original.length },
      proposal: { start: open.j > 0 ? b[open.j - 1].end : 0, end: j < b.length ? b[j].start : proposal.length },
    });
    open = undefined;
  };
  for (const c of diff) {
    const n = c.count ?? c.value.length;
    if (c.removed || c.added) {
      open ??= { i, j };
      if (c.removed) i += n;
      else j += n;
    } else {
      close();
      i += n;
      j += n;
    }
  }
  close();
  return changes;
}

/** Which changes are taken; a missing entry counts as taken (a proposal is taken whole by default). */
export type TakenChanges = readonly boolean[];

const isTaken = (taken: TakenChanges, k: number) => taken[k] !== false;

/** One stretch of the mixed text: shared with both, or change `change` as taken or as left. */
export interface MixSegment {
  text: string;
  kind: 'same' | 'taken' | 'left';
  change?: number;
}

/** The mixed text in stretches, in order (the preview marks taken and left changes from these). */
export function mixSegments(
  original: string,
  proposal: string,
  changes: readonly ProposalChange[],
  taken: TakenChanges,
): MixSegment[] {
  const out: MixSegment[] = [];
  let at = 0;
  changes.forEach((c, k) => {
    if (c.proposal.start > at) out.push({ text: proposal.slice(at, c.proposal.start), kind: 'same' });
    out.push(
      isTaken(taken, k)
        ? { text: proposal.slice(c.proposal.start, c.proposal.end), kind: 'taken', change: k }
        : { text: original.slice(c.original.start, c.original.end), kind: 'left', change: k },
    );
    at = c.proposal.end;
  });
  if (at < proposal.length) out.push({ text: proposal.slice(at), kind: 'same' });
  return out;
}

/** The text Accept writes for this mix: the proposal with every left change's original words put back. */
export function mixText(
  original: string,
  proposal: string,
  changes: readonly ProposalChange[],
  taken: TakenChanges,
): string {
  return mixSegments(original, proposal, changes, taken)
    .map((s) => s.text)
    .join('');
}

/**
 * Where `offset` of the proposal lands in the mixed text. An offset inside a left change goes to that
 * change's start (`edge` 'start') or end ('end'), so a range of the proposal maps to a range of the mix.
 */
export function mixOffset(
  changes: readonly ProposalChange[],
  taken: TakenChanges,
  offset: number,
  edge: 'start' | 'end',
): number {
  let shift = 0;
  for (let k = 0; k < changes.length; k++) {
    const c = changes[k];
    if (c.proposal.start >= offset && c.proposal.end > offset) break;
    const left = c.original.end - c.original.start;
    if (c.proposal.end <= offset) {
      if (!isTaken(taken, k)) shift += left - (c.proposal.end - c.proposal.start);
      continue;
    }
    // Strictly inside change k: a taken change keeps its text, a left one is replaced whole.
    if (isTaken(taken, k)) return offset + shift;
    return c.proposal.start + shift + (edge === 'start' ? 0 : left);
  }
  return offset + shift;
}

/** Whether every change is taken (the mix is the proposal itself). */
export function allTaken(changes: readonly ProposalChange[] | undefined, taken: TakenChanges): boolean {
  return !changes || changes.every((_, k) => isTaken(taken, k));
}
