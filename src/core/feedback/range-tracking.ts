// Following an accepted rewrite through the writer's later edits, in plain offsets (no editor types),
// so the rules can be unit-tested and reasoned about on their own.

/** Half-open character range [start, end) in a document. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** One text change as editors report it: `length` characters at `offset` were replaced by `text`. */
export interface TextChange {
  offset: number;
  length: number;
  text: string;
}

export interface ShiftedRange extends OffsetRange {
  /** True when the change altered text inside the range (not merely moved it). */
  touched: boolean;
}

/**
 * Where the range is after `change`, or undefined when its text is gone: deleted entirely, or swallowed
 * by a larger replacement in which the rewrite's part can no longer be told apart.
 *
 * Insertions exactly at either boundary stay outside: text typed just before or after the rewrite is the
 * writer's own continuation, and counting it as an "edit" of the model's output would fake a preference.
 * Replacing exactly the range (retyping it, or undo restoring the original) keeps tracking the new text.
 */
export function shiftRange(range: OffsetRange, change: TextChange): ShiftedRange | undefined {
  const { start, end } = range;
  const from = change.offset;
  const to = change.offset + change.length;
  const delta = change.text.length - change.length;
  if (end <= start) return undefined;
  if (to <= start) return { start: start + delta, end: end + delta, touched: false };
  if (from >= end) return { start, end, touched: false };
  if (from === start && to === end) {
    return change.text.length === 0 ? undefined : { start, end: start + change.text.length, touched: true };
  }
  // A replacement reaching past the range on both sides swallows it.
  if (from <= start && to >= end) return undefined;
  // Overlap on one side or inside: the replacing text joins the range.
  const next = { start: Math.min(start, from), end: Math.max(end + delta, from + change.text.length) };
  return next.end > next.start ? { ...next, touched: true } : undefined;
}

/** Applies an editor's batch of changes in the order given (editors list them so that order is right). */
export function shiftRangeAll(range: OffsetRange, changes: readonly TextChange[]): ShiftedRange | undefined {
  let current: ShiftedRange = { ...range, touched: false };
  for (const change of changes) {
    const next = shiftRange(current, change);
    if (!next) return undefined;
    current = { start: next.start, end: next.end, touched: current.touched || next.touched };
  }
  return current;
}
