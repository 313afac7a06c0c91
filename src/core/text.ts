// Small text helpers shared by rubric parsing, output clean-up and edit tracking.

/** CRLF and lone CR become LF: rubric files, model output and editor text all compare in one form. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** A 32-bit FNV-1a hash of `text`: a stable number from a key (per-sample seeds that every run and model share). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
