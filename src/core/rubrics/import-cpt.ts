// Imports a rubric written in the CPT paper's table layout (one criterion a row: name, five level
// descriptions from BEST to WORST, weight in %) and turns it into our YAML, where level 5 is the best.
import { Document, isSeq } from 'yaml';
import { ID_PATTERN, parseRubricText } from './parse';
import type { Criterion, Rubric, RubricProblem } from './types';
import { normalizeNewlines } from '../text';

/** Level names (level 1 → 5) when neither the options nor the table's header row give any. */
export const DEFAULT_IMPORT_LEVEL_NAMES: readonly string[] = ['Unsatisfactory', 'Needs Improvement', 'Fair', 'Good', 'Excellent'];

const DEFAULT_SCORING =
  'Score each criterion by the level description it matches best, counting level 1 as about 10 and level 5 as about 90, ' +
  'then report the weighted average of the criteria as one score from 0 to 100.';

export interface CptImportOptions {
  id: string;
  title: string;
  /** One sentence for the picker; defaults to a line naming the title. */
  summary?: string;
  /** Five level names, level 1 (worst) → 5 (best). Default: the header row's, else DEFAULT_IMPORT_LEVEL_NAMES. */
  levels?: readonly string[];
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

/**
 * Splits tab-separated text into rows of cells with their positions. Spreadsheets quote a cell that holds
 * a tab, a newline or a quote ("..." with "" for a quote), so quoted cells may span lines.
 */
export function parseTsv(text: string): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const src = normalizeNewlines(text.replace(/^\uFEFF/, ''));
  const advance = (ch: string) => {
    if (ch === '\n') {
      line++;
      col = 1;
    } else col++;
  };
  while (i <= src.length) {
    const start = { line, col };
    let value = '';
    if (src[i] === '"') {
      advance(src[i++]);
      while (i < src.length) {
        if (src[i] === '"' && src[i + 1] === '"') {
          value += '"';
          advance(src[i++]);
          advance(src[i++]);
        } else if (src[i] === '"') {
          advance(src[i++]);
          break;
        } else {
          value += src[i];
          advance(src[i++]);
        }
      }
      // Anything between the closing quote and the next separator belongs to the cell as written.
      while (i < src.length && src[i] !== '\t' && src[i] !== '\n') {
        value += src[i];
        advance(src[i++]);
      }
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
      if (row.some((c) => c.text)) rows.push(row);
      row = [];
    }
  }
  return rows;
}

function parseWeight(text: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)\s*%?$/.exec(text.trim());
  return m ? Number(m[1].replace(',', '.')) : undefined;
}

/** The table's criteria (our order: levels[0] = level 1 = the table's WORST column) and header level names. */
export function parseCptTable(text: string, file = '<table>'): { criteria: Criterion[]; headerLevels?: string[]; problems: RubricProblem[] } {
  const problems: RubricProblem[] = [];
  const at = (c: Cell, message: string) => problems.push({ file, line: c.line, col: c.col, message });
  const rows = parseTsv(text).map((r) => {
    // Spreadsheets often pad rows with empty trailing cells.
    const cells = [...r];
    while (cells.length > 7 && !cells[cells.length - 1].text) cells.pop();
    return cells;
  });
  let headerLevels: string[] | undefined;
  if (rows.length && parseWeight(rows[0][rows[0].length - 1].text) === undefined) {
    const header = rows.shift()!;
    const names = header.slice(1, 6).map((c) => c.text);
    if (header.length === 7 && names.every(Boolean) && new Set(names.map((n) => n.toLowerCase())).size === 5) headerLevels = names.reverse();
  }
  if (!rows.length) {
    problems.push({ file, line: 1, col: 1, message: 'no criteria rows: expected name, 5 level descriptions (best → worst), weight' });
    return { criteria: [], problems };
  }
  const criteria: Criterion[] = [];
  for (const row of rows) {
    if (row.length !== 7) {
      at(row[0], `expected 7 tab-separated cells (criterion, 5 level descriptions from best to worst, weight), got ${row.length}`);
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
    if (ok) criteria.push({ name: nameCell.text, weight: weight!, levels: rest.map((c) => c.text).reverse() as Criterion['levels'] });
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
  const directives = Object.fromEntries(([1, 2, 3, 4, 5] as const).filter((l) => rubric.directives[l]).map((l) => [l, rubric.directives[l]]));
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
  if (isSeq(levels)) levels.flow = true;
  if (comment) doc.commentBefore = comment.split('\n').map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 100, flowCollectionPadding: false });
}

/** Converts a CPT rubric table to our YAML and validates the result. Bad options throw; table problems are returned. */
export function importCptTable(text: string, options: CptImportOptions): CptImportResult {
  const file = options.file ?? '<table>';
  if (!ID_PATTERN.test(options.id)) throw new Error(`the id '${options.id}' must match [a-z0-9-]+ (lower-case letters, digits and hyphens)`);
  if (!options.title.trim()) throw new Error('the title is empty');
  if (options.levels && (options.levels.length !== 5 || options.levels.some((l) => !l.trim()))) {
    throw new Error(`give exactly 5 non-empty level names, level 1 (worst) → 5 (best); got ${options.levels.length}`);
  }
  if (options.levels && new Set(options.levels.map((l) => l.trim().toLowerCase())).size !== 5) throw new Error('the 5 level names must differ');
  const table = parseCptTable(text, file);
  if (table.problems.length) return { problems: table.problems };
  const levels = (options.levels?.map((l) => l.trim()) ?? table.headerLevels ?? DEFAULT_IMPORT_LEVEL_NAMES) as Rubric['levels'];
  const content = {
    id: options.id,
    title: options.title.trim(),
    summary: options.summary?.trim() || `${options.title.trim()}, imported from a CPT rubric table.`,
    levels: [...levels] as Rubric['levels'],
    criteria: table.criteria,
    scoring: options.scoring?.trim() || DEFAULT_SCORING,
    directives: {},
  };
  const yaml = rubricToYaml(content, `Imported from ${file} by cpt-writer import-rubric.\nLevel 5 is the table's best column, level 1 its worst.`);
  // Validate what we emit with the same parser loadRubrics uses, so the output is known to load.
  const parsed = parseRubricText(yaml, `${file} (converted YAML)`);
  if (!parsed.rubric) return { problems: parsed.problems };
  return { rubric: parsed.rubric, yaml, problems: parsed.problems };
}
