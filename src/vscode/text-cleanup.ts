// Turns raw model output into the replacement text. Kept minimal on purpose: the writer sees the
// proposal before anything is applied, so we only undo what models commonly add around an answer.
// (No vscode import: plain string logic.)

const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'], ['\u201c', '\u201d'], ["'", "'"], ['\u2018', '\u2019'], ['\u00ab', '\u00bb'], ['`', '`'],
];

/** Strips one wrapping code fence or quote pair the original did not have. */
export function stripWrapper(original: string, output: string): string {
  const orig = original.trim();
  const text = output.trim();
  const fence = /^```[\w+-]*[ \t]*\n([\s\S]*?)\n?[ \t]*```$/.exec(text);
  if (fence) return orig.startsWith('```') ? text : fence[1].trim();
  for (const [open, close] of QUOTE_PAIRS) {
    if (text.length < 2 || !text.startsWith(open) || !text.endsWith(close)) continue;
    if (orig.startsWith(open) && orig.endsWith(close)) return text;
    const inner = text.slice(open.length, text.length - close.length);
    // "A," she said, "B" starts and ends with quotes but is not wrapped: leave it.
    if (inner.includes(open) || inner.includes(close)) return text;
    return inner.trim();
  }
  return text;
}

/**
 * The text to put in place of `original`: the unwrapped output with the original's own leading and
 * trailing whitespace (models drop or add blank lines; the surrounding layout is the writer's).
 * Empty when the model produced nothing usable.
 */
export function cleanRewrite(original: string, output: string): string {
  const core = stripWrapper(original, output.replace(/\r\n/g, '\n'));
  if (!core) return '';
  const lead = /^\s*/.exec(original)?.[0] ?? '';
  const trail = /\s*$/.exec(original)?.[0] ?? '';
  return lead + core + trail;
}
