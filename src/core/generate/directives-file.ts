// DIR/directives.json: the CPT directives the teacher summarized (--summarize), per rubric and level.
// They are the student system prompts of the samples, and `cpt-writer directives` writes them into a
// rubric file so the extension serves the same prompts.
import { promises as fs } from 'node:fs';
import { errorMessage } from '../errors';
import { writeFileAtomic } from '../pairs/export';
import { stripWrapper } from '../rewrite/cleanup';
import { MAX_DIRECTIVE_TOKENS, estimateTokens } from '../rubrics/tokens';
import { LEVELS, type Level } from '../rubrics/types';
import { normalizeNewlines } from '../text';
import type { InputKind } from './types';

export interface DirectivesEntry {
  title: string;
  /** teacherRubricHash of the rubric the directives were made from. */
  hash: string;
  levels: Partial<Record<Level, string>>;
}

export interface DirectivesFile {
  v: 1;
  teacher: string;
  kind: InputKind;
  rubrics: Record<string, DirectivesEntry>;
}

export function emptyDirectives(teacher: string, kind: InputKind): DirectivesFile {
  return { v: 1, teacher, kind, rubrics: {} };
}

/** Reads a directives file; a missing one is undefined, a broken one an error naming the file and what is wrong. */
export async function readDirectivesFile(file: string): Promise<DirectivesFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${errorMessage(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
  const o = value as DirectivesFile;
  if (typeof o !== 'object' || o === null || o.v !== 1 || typeof o.rubrics !== 'object' || o.rubrics === null) {
    throw new Error(`${file} is not a directives file written by cpt-writer generate --summarize`);
  }
  for (const [id, entry] of Object.entries(o.rubrics)) {
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.hash !== 'string' ||
      typeof entry.levels !== 'object' ||
      entry.levels === null
    ) {
      throw new Error(`${file}: the entry for rubric '${id}' is malformed`);
    }
    for (const [level, text] of Object.entries(entry.levels)) {
      if (!LEVELS.includes(Number(level) as Level) || typeof text !== 'string' || !text.trim()) {
        throw new Error(`${file}: rubric '${id}' has a bad directive for level ${level}`);
      }
    }
  }
  return o;
}

export async function writeDirectivesFile(file: string, data: DirectivesFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * A teacher's summary as a directive: unwrapped, without a "System prompt:" label, trimmed, and within the
 * 256-token CPT prompt budget (cut after the last whole sentence that fits). Throws when nothing usable is left.
 */
export function cleanDirective(raw: string): string {
  let text = stripWrapper('', normalizeNewlines(raw)).replace(
    /^\s*(\*\*)?(system prompt|directive)(\*\*)?\s*:\s*/i,
    '',
  );
  text = stripWrapper('', text)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!text) throw new Error('the teacher wrote an empty directive');
  if (estimateTokens(text) <= MAX_DIRECTIVE_TOKENS) return text;
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let cut = '';
  for (const s of sentences) {
    if (estimateTokens(cut + s) > MAX_DIRECTIVE_TOKENS) break;
    cut += s;
  }
  if (!cut.trim())
    throw new Error(
      `the teacher's directive is about ${estimateTokens(text)} tokens, over the ${MAX_DIRECTIVE_TOKENS}-token ` +
        `limit, with no sentence break to cut at`,
    );
  return cut.trim();
}
