// Small text helpers shared by rubric parsing, output clean-up and edit tracking.

/** CRLF and lone CR become LF: rubric files, model output and editor text all compare in one form. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
