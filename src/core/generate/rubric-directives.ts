// Writes directives into a rubric file's `directives:` so the extension serves the prompts the data was
// made with. Only the directive entries change: everything else in the file (comments, folding, key
// order) stays byte for byte, since the edit is spliced in at the positions the yaml parser reports.
import { Document, isMap, isScalar, parseDocument, type Node, type Pair } from 'yaml';
import { parseRubricText } from '../rubrics/parse';
import type { Level, Rubric, RubricProblem } from '../rubrics/types';

export interface SetDirectivesResult {
  /** The new file text; absent when the result would not load (see problems). */
  text?: string;
  rubric?: Rubric;
  problems: RubricProblem[];
}

/** "N: text" as block YAML at column 0 (no trailing newline). */
function renderEntry(level: Level, text: string): string {
  const doc = new Document();
  doc.contents = doc.createNode(new Map([[level, text]]));
  return doc.toString({ lineWidth: 100, minContentWidth: 40 }).replace(/\n+$/, '');
}

function indentLines(block: string, indent: string): string {
  return block
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Where a node's value ends in `source`: a block scalar's range takes in its line ends, so they are backed over. */
function valueEnd(source: string, node: Node): number {
  const start = node.range?.[0] ?? 0;
  let end = node.range?.[1] ?? 0;
  while (end > start && /\s/.test(source[end - 1])) end--;
  return end;
}

function levelOf(pair: Pair<unknown, unknown>): number | undefined {
  const k = pair.key;
  if (!isScalar(k)) return undefined;
  const n = Number(k.value);
  return Number.isInteger(n) ? n : undefined;
}

interface Splice {
  at: number;
  end: number;
  text: string;
}

function apply(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.text + out.slice(s.end);
  return out;
}

/**
 * The rubric file's text with `directives` set for the given levels (others kept). The result is parsed
 * again and must hold exactly these directives, so a file is never written with anything else.
 */
export function setRubricDirectives(
  source: string,
  directives: Partial<Record<Level, string>>,
  file = '<rubric>',
): SetDirectivesResult {
  const doc = parseDocument(source);
  if (doc.errors.length || !isMap(doc.contents)) {
    const before = parseRubricText(source, file);
    return {
      problems: before.problems.length ? before.problems : [{ file, line: 1, col: 1, message: 'not a rubric mapping' }],
    };
  }
  const levels = (Object.keys(directives).map(Number) as Level[]).sort((a, b) => a - b);
  const root = doc.contents;
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'directives');
  const splices: Splice[] = [];
  const value = pair?.value as Node | null | undefined;
  if (pair && isMap(value) && !value.flow && value.items.length) {
    const first = value.items[0].key as Node;
    const indent = source.slice(lineStart(source, first.range![0]), first.range![0]);
    for (const level of levels) {
      const entry = indentLines(renderEntry(level, directives[level]!), indent).slice(indent.length);
      const existing = value.items.find((p) => levelOf(p) === level);
      if (existing) {
        splices.push({
          at: (existing.key as Node).range![0],
          end: valueEnd(source, existing.value as Node),
          text: entry,
        });
        continue;
      }
      // A new level goes before the first higher one, else after the last entry, on its own line.
      const next = value.items.find((p) => (levelOf(p) ?? 0) > level);
      if (next) {
        const at = lineStart(source, (next.key as Node).range![0]);
        splices.push({ at, end: at, text: `${indent}${entry}\n` });
      } else {
        const last = value.items[value.items.length - 1];
        const end = valueEnd(source, last.value as Node);
        splices.push({ at: end, end, text: `\n${indent}${entry}` });
      }
    }
  } else {
    // No directives yet (or an empty or flow mapping): one block holding the old entries and the new.
    const merged = new Map<number, string>();
    if (pair && isMap(value))
      for (const p of value.items)
        if (levelOf(p) !== undefined && isScalar(p.value)) merged.set(levelOf(p)!, String(p.value.value));
    for (const level of levels) merged.set(level, directives[level]!);
    const entries = [...merged.keys()]
      .sort((a, b) => a - b)
      .map((l) => indentLines(renderEntry(l as Level, merged.get(l)!), '  '));
    const block = `directives:\n${entries.join('\n')}`;
    if (pair) {
      const at = (pair.key as Node).range![0];
      const end = value ? valueEnd(source, value) : (pair.key as Node).range![1];
      splices.push({ at, end, text: block });
    } else {
      const body = source.endsWith('\n') || !source ? source : `${source}\n`;
      return check(`${body}${block}\n`, directives, file);
    }
  }
  return check(apply(source, splices), directives, file);
}

function check(text: string, directives: Partial<Record<Level, string>>, file: string): SetDirectivesResult {
  const parsed = parseRubricText(text, file);
  if (!parsed.rubric) return { problems: parsed.problems };
  for (const [level, want] of Object.entries(directives)) {
    if (parsed.rubric.directives[Number(level) as Level] !== want) {
      return {
        problems: [
          {
            file,
            line: 1,
            col: 1,
            message:
              `the directive for level ${level} would not read back exactly as written (leading or ` +
              `trailing spaces?)`,
          },
        ],
      };
    }
  }
  return { text, rubric: parsed.rubric, problems: parsed.problems };
}
