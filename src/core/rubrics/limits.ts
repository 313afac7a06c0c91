// Bounds on what one rubric file may hold. A real rubric is a few KiB (the built-ins are 3–4 KiB, their longest
// field under 400 characters), so each bound is many times what a rubric needs; what they stop is a single
// file that is large enough to break something else (the sidebar's messages, a prompt, the loader's stack).
// README "Rubrics" lists these values; keep the two in step.

export const RUBRIC_LIMITS = {
  /** Bytes in one rubric file. Larger files are not read at all. */
  fileBytes: 256 * 1024,
  /** Characters in an id. */
  idChars: 64,
  /** Characters in a title, a level name or a criterion name. */
  nameChars: 200,
  /** Characters in the summary, a criterion's level description, the scoring notes or a directive. */
  textChars: 4096,
  /** Nesting depth of YAML collections; a rubric needs 4 (criteria → criterion → levels → text). */
  depth: 32,
  /** Aliases (`*name`) followed while reading one file, merge keys included. */
  aliases: 100,
  /** YAML syntax errors listed per file; the rest are counted in one last problem. */
  shownErrors: 20,
} as const;

/** "256 KiB", "4,096 characters": limits in the words the messages use. */
export function kib(bytes: number): string {
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}

/** The one message for a file over RUBRIC_LIMITS.fileBytes, whether it is found on disk or in memory. */
export function fileTooLarge(bytes: number): string {
  return (
    `the file is ${kib(bytes)}; a rubric file may be at most ${kib(RUBRIC_LIMITS.fileBytes)} (real rubrics ` +
    `are a few KiB)`
  );
}
