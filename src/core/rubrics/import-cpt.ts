// Imports a rubric written the way the CPT paper writes them — a title line, the objective and guiding
// principles, a tab-separated table (one criterion a row: name, five level descriptions from BEST to
// WORST, weight in %), then "Scoring:" notes — or just the bare table, and turns it into our YAML,
// where level 5 is the best. The prose before the table becomes the summary (it states the objective),
// the prose after it the scoring notes, so the teacher, the judge and rubric mode see all of it.
import { Document, isSeq } from 'yaml';
import { idProblem, parseRubricText } from './parse';
import type { Criterion, Rubric, RubricProblem } from './types';
import { normalizeNewlines } from '../text';

/** Level names (level 1 → 5) when neither the options nor the table's header row give any. */
export const DEFAULT_IMPORT_LEVEL_NAMES: readonly string[] = [
  'Unsatisfactory',
  'Needs Improvement',
  'Fair',
  'Good',
  'Excellent',
];

const DEFAULT_SCORING =
  'Score each criterion by the level description it matches best, counting level 1 as about 10 and level 5 as ' +
  'about 90, ' +
  'then report the weighted average of the criteria as one score from 0 to 100.';

export interface CptImportOptions {
  id: string;
  /** Default: the file's title line (the first line of the prose before the table). */
  title?: string;
  /** Default: the prose before the table (objective and guiding principles), else a line naming the title. */
  summary?: string;
  /** Five level names, level 1 (worst) → 5 (best). Default: the header row's, else DEFAULT_IMPORT_LEVEL_NAMES. */
  levels?: readonly string[];
  /** Default: the prose after the table (its "Scoring:" notes), else a weighted-average rule. */
  scoring?: string;
  /** The table's file name, used in problems. */
  file?: string;
}

export interface CptImportResult {
  /** The rubric as it loads from `yaml`. */
  rubric?: Rubric;
  /** YAML text that loadRubrics accepts; absent when there are problems. */
  yaml?: string;
  problems: RubricProblem[];
}

interface Cell {
  text: string;
  line: number;
  col: number;
}

interface ScannedRow {
  cells: Cell[];
  /** Offset of the row's first character in the scanned text. */
  start: number;
}

/** The end of a quoted cell starting at `i` (the index after its closing quote), if the whole cell is quoted. */
function quotedCellEnd(src: string, i: number): number | undefined {
  let j = i + 1;
  while (j < src.length) {
    if (src[j] === '"' && src[j + 1] === '"') j += 2;
    else if (src[j] === '"') break;
    else j++;
  }
  if (j >= src.length) return undefined;
  // Only a quote that closes the cell makes it a quoted cell: "Haunted Lens" effect is plain text.
  return /^[ ]*(\t|\n|$)/.test(src.slice(j + 1, j + 3)) ? j + 1 : undefined;
}

/**
 * Splits tab-separated text into rows of cells with their positions, starting at `from` (on line `line`).
 * Spreadsheets quote a cell that holds a tab, a newline or a quote ("..." with "" for a quote), so such a
 * cell may span lines; a `"` starts a quoted cell only when the whole cell is quoted, so prose such as
 * "Where we are" sentences... stays as written.
 */
function scanTsv(src: string, from = 0, firstLine = 1): ScannedRow[] {
  const rows: ScannedRow[] = [];
  let row: Cell[] = [];
  let rowStart = from;
  let line = firstLine;
  let col = 1;
  let i = from;
  const advance = (ch: string) => {
    if (ch === '\n') {
      line++;
      col = 1;
    } else col++;
  };
  while (i <= src.length) {
    const start = { line, col };
    let value = '';
    const quotedEnd = src[i] === '"' ? quotedCellEnd(src, i) : undefined;
    if (quotedEnd !== undefined) {
      advance(src[i++]);
      while (i < quotedEnd - 1) {
        if (src[i] === '"') advance(src[i++]);
        value += src[i];
        advance(src[i++]);
      }
      advance(src[i++]);
      while (i < src.length && src[i] === ' ') advance(src[i++]);
    } else {
      while (i < src.length && src[i] !== '\t' && src[i] !== '\n') {
        value += src[i];
        advance(src[i++]);
      }
    }
    row.push({ text: value.trim(), ...start });
    const sep = src[i];
    if (i < src.length) advance(src[i]);
    i++;
    if (sep !== '\t') {
      rows.push({ cells: row, start: rowStart });
      row = [];
      rowStart = i;
    }
  }
  return rows;
}

/** Splits tab-separated text into rows of cells with their positions (rows with no text are left out). */
export function parseTsv(text: string): Cell[][] {
  return scanTsv(normalizeNewlines(text.replace(/^\uFEFF/, '')))
    .map((r) => r.cells)
    .filter((r) => r.some((c) => c.text));
}

/** A rubric file in the paper's layout, cut into its three parts. */
export interface CptLayout {
  /** The prose before the table: a title line, the objective and guiding principles. */
  before: string;
  /** The table's rows (header included), with positions in the whole file. */
  rows: Cell[][];
  /** The prose after the table (the "Scoring:" notes). */
  after: string;
}

/**
 * Finds the table in a rubric written the way the paper writes them (title, objective, principles, a
 * tab-separated table, "Scoring:" prose). A bare table has empty prose on both sides.
 */
export function splitCptLayout(text: string): CptLayout {
  const src = normalizeNewlines(text.replace(/^\uFEFF/, ''));
  const firstTab = src.indexOf('\t');
  if (firstTab < 0) return { before: src, rows: [], after: '' };
  const tableStart = src.lastIndexOf('\n', firstTab) + 1;
  const startLine = src.slice(0, tableStart).split('\n').length;
  const scanned = scanTsv(src, tableStart, startLine);
  // The table ends at the first line that is prose: one cell with text and no tab.
  const end = scanned.findIndex((r) => r.cells.length === 1 && r.cells[0].text !== '');
  const tableRows = (end < 0 ? scanned : scanned.slice(0, end))
    .map((r) => r.cells)
    .filter((r) => r.some((c) => c.text));
  return { before: src.slice(0, tableStart), rows: tableRows, after: end < 0 ? '' : src.slice(scanned[end].start) };
}

/** Paragraphs kept, runs of blank lines collapsed, each line's trailing space dropped. */
function tidyProse(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The prose before the table as a title (its first line, when that line is a paragraph of its own and
 * not the objective) and a summary (the objective and guiding principles), less the heading that
 * introduces the table ("Evaluation Criteria (...):").
 */
export function cptProse(before: string): { title?: string; summary?: string } {
  const lines = tidyProse(before).split('\n');
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (lines.length && /:\s*$/.test(lines[lines.length - 1]) && lines[lines.length - 1].length <= 120) lines.pop();
  let title: string | undefined;
  if (
    lines.length > 1 &&
    lines[1].trim() === '' &&
    lines[0].length <= 150 &&
    !/^(objective|guiding principles)\s*:/i.test(lines[0])
  ) {
    title = lines.shift()!.trim();
  }
  const summary = tidyProse(lines.join('\n'));
  return { ...(title ? { title } : {}), ...(summary ? { summary } : {}) };
}

/** The prose after the table as scoring notes, without its "Scoring:" label. */
export function cptScoring(after: string): string | undefined {
  const text = tidyProse(after).replace(/^scoring\s*:\s*/i, '');
  return text ? tidyProse(text) : undefined;
}

function parseWeight(text: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)\s*%?$/.exec(text.trim());
  return m ? Number(m[1].replace(',', '.')) : undefined;
}

/** The table's criteria (our order: levels[0] = level 1 = the table's WORST column) and header level names. */
export function parseCptTable(
  text: string,
  file = '<table>',
): { criteria: Criterion[]; headerLevels?: string[]; problems: RubricProblem[] } {
  return criteriaFromRows(parseTsv(text), file);
}

function criteriaFromRows(
  tableRows: Cell[][],
  file: string,
): { criteria: Criterion[]; headerLevels?: string[]; problems: RubricProblem[] } {
  const problems: RubricProblem[] = [];
  const at = (c: Cell, message: string) => problems.push({ file, line: c.line, col: c.col, message });
  const rows = tableRows.map((r) => {
    // Spreadsheets often pad rows with empty trailing cells.
    const cells = [...r];
    while (cells.length > 7 && !cells[cells.length - 1].text) cells.pop();
    return cells;
  });
  let headerLevels: string[] | undefined;
  if (rows.length && parseWeight(rows[0][rows[0].length - 1].text) === undefined) {
    const header = rows.shift()!;
    const names = header.slice(1, 6).map((c) => c.text);
    if (header.length === 7 && names.every(Boolean) && new Set(names.map((n) => n.toLowerCase())).size === 5)
      headerLevels = names.reverse();
  }
  if (!rows.length) {
    problems.push({
      file,
      line: 1,
      col: 1,
      message: 'no criteria rows: expected name, 5 level descriptions (best → worst), weight',
    });
    return { criteria: [], problems };
  }
  const criteria: Criterion[] = [];
  for (const row of rows) {
    if (row.length !== 7) {
      at(
        row[0],
        `expected 7 tab-separated cells (criterion, 5 level descriptions from best to worst, weight), got ` +
          `${row.length}`,
      );
      continue;
    }
    const [nameCell, ...rest] = row;
    const weightCell = rest.pop()!;
    const weight = parseWeight(weightCell.text);
    let ok = true;
    if (!nameCell.text) {
      at(nameCell, 'the criterion name is empty');
      ok = false;
    }
    if (weight === undefined || weight <= 0) {
      at(weightCell, `the weight must be a positive percentage such as 30% or 30, got '${weightCell.text}'`);
      ok = false;
    }
    for (const c of rest) {
      if (!c.text) {
        at(c, 'this level description is empty');
        ok = false;
      }
    }
    if (ok && criteria.some((c) => c.name.toLowerCase() === nameCell.text.toLowerCase())) {
      at(nameCell, `the criterion '${nameCell.text}' appears twice`);
      ok = false;
    }
    if (ok)
      criteria.push({
        name: nameCell.text,
        weight: weight!,
        levels: rest.map((c) => c.text).reverse() as Criterion['levels'],
      });
  }
  if (!problems.length) {
    const sum = criteria.reduce((s, c) => s + c.weight, 0);
    if (Math.abs(sum - 100) > 1e-6) {
      const last = rows[rows.length - 1];
      at(last[last.length - 1], `the weights sum to ${Math.round(sum * 1000) / 1000}, not 100`);
    }
  }
  return { criteria, headerLevels, problems };
}

/** Our YAML for a rubric's content (level 1 → 5 order throughout). */
export function rubricToYaml(rubric: Omit<Rubric, 'hash' | 'source'>, comment?: string): string {
  const directives = Object.fromEntries(
    ([1, 2, 3, 4, 5] as const).filter((l) => rubric.directives[l]).map((l) => [l, rubric.directives[l]]),
  );
  const doc = new Document({
    id: rubric.id,
    title: rubric.title,
    summary: rubric.summary,
    levels: [...rubric.levels],
    criteria: rubric.criteria.map((c) => ({ name: c.name, weight: c.weight, levels: [...c.levels] })),
    ...(rubric.scoring ? { scoring: rubric.scoring } : {}),
    ...(Object.keys(directives).length ? { directives } : {}),
  });
  const levels = doc.get('levels', true);
  // One line when it fits, as hand-written rubrics have it.
  if (isSeq(levels)) levels.flow = rubric.levels.join(', ').length + 12 <= 100;
  if (comment)
    doc.commentBefore = comment
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n');
  return doc.toString({ lineWidth: 100, flowCollectionPadding: false, blockQuote: 'literal' });
}

/** Converts a CPT rubric table to our YAML and validates the result. Bad options throw; table problems are returned. */
export function importCptTable(text: string, options: CptImportOptions): CptImportResult {
  const file = options.file ?? '<table>';
  const badId = idProblem(options.id);
  if (badId) throw new Error(`the ${badId}`);
  if (options.title !== undefined && !options.title.trim()) throw new Error('the title is empty');
  if (options.levels && (options.levels.length !== 5 || options.levels.some((l) => !l.trim()))) {
    throw new Error(`give exactly 5 non-empty level names, level 1 (worst) → 5 (best); got ${options.levels.length}`);
  }
  if (options.levels && new Set(options.levels.map((l) => l.trim().toLowerCase())).size !== 5)
    throw new Error('the 5 level names must differ');
  // The paper's layout: prose (title, objective, principles), the table, then "Scoring:" prose.
  const layout = splitCptLayout(text);
  const prose = cptProse(layout.before);
  const title = options.title?.trim() || prose.title;
  if (!title) throw new Error(`no title: ${file} has no title line before its table; give one with --title`);
  const table = criteriaFromRows(layout.rows, file);
  if (table.problems.length) return { problems: table.problems };
  const levels = (options.levels?.map((l) => l.trim()) ??
    table.headerLevels ??
    DEFAULT_IMPORT_LEVEL_NAMES) as Rubric['levels'];
  const content = {
    id: options.id,
    title,
    summary: options.summary?.trim() || prose.summary || `${title}, imported from a CPT rubric table.`,
    levels: [...levels] as Rubric['levels'],
    criteria: table.criteria,
    scoring: options.scoring?.trim() || cptScoring(layout.after) || DEFAULT_SCORING,
    directives: {},
  };
  const yaml = rubricToYaml(
    content,
    `Imported from ${file} by cpt-writer import-rubric.\nLevel 5 is the table's best column, level 1 its worst.`,
  );
  // Validate what we emit with the same parser loadRubrics uses, so the output is known to load.
  const parsed = parseRubricText(yaml, `${file} (converted YAML)`);
  if (!parsed.rubric) return { problems: parsed.problems };
  return { rubric: parsed.rubric, yaml, problems: parsed.problems };
}
