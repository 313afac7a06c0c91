// Reads --texts (one passage a line, or JSONL {"id","text"}) and --tasks (JSONL {"id","prompt"}).
// Bad lines are reported with their line numbers and the rest are used.
import { createHash } from 'node:crypto';
import { parseJsonlLine } from '../jsonl/read';
import { normalizeNewlines } from '../text';
import type { GenerateTask, InputKind, InputProblem } from './types';

export interface ParsedInput {
  tasks: GenerateTask[];
  problems: InputProblem[];
  format: 'lines' | 'jsonl';
  /** For JSONL: each task's whole line as parsed, by line number (eval reads its extra fields from it). */
  objects: Map<number, Record<string, unknown>>;
}

/** A plain-line passage's id: from its content, so reordering or adding lines keeps every id (and resume) valid. */
export function passageId(text: string): string {
  return `text-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Parses an input file's content; `kind` decides the JSONL field (text or prompt). */
export function parseInput(content: string, kind: InputKind): ParsedInput {
  const lines = normalizeNewlines(content.replace(/^\uFEFF/, '')).split('\n');
  const firstLine = lines.find((l) => l.trim());
  const jsonl = kind === 'tasks' || (firstLine !== undefined && firstLine.trim().startsWith('{'));
  const field = kind === 'tasks' ? 'prompt' : 'text';
  const tasks: GenerateTask[] = [];
  const problems: InputProblem[] = [];
  const seenIds = new Map<string, number>();
  const seenTexts = new Map<string, number>();
  const objects = new Map<number, Record<string, unknown>>();
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let id: string;
    let text: string;
    if (!jsonl) {
      text = raw.trim();
      id = passageId(text);
      const first = seenTexts.get(text);
      if (first !== undefined) {
        problems.push({ line, message: `the same passage as line ${first}; used once` });
        return;
      }
      seenTexts.set(text, line);
    } else {
      const parsed = parseJsonlLine(raw);
      if (!('value' in parsed)) {
        problems.push({ line, message: `not valid JSON; expected {"id": ..., "${field}": ...}` });
        return;
      }
      const value = parsed.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push({ line, message: `expected a JSON object {"id": ..., "${field}": ...}, got ${describe(value)}` });
        return;
      }
      const o = value as Record<string, unknown>;
      const rawId = o.id;
      if (!(typeof rawId === 'string' && rawId.trim()) && !(typeof rawId === 'number' && Number.isFinite(rawId))) {
        problems.push({
          line,
          message:
            `"id" must be a non-empty string or a number, got ` +
            `${rawId === undefined ? 'nothing' : describe(rawId)}`,
        });
        return;
      }
      id = String(rawId).trim();
      if (/[\n\r/]/.test(id)) {
        problems.push({ line, message: `"id" must not contain a slash or a line break: ${JSON.stringify(id)}` });
        return;
      }
      const t = o[field];
      if (typeof t !== 'string' || !t.trim()) {
        problems.push({
          line,
          message:
            `"${field}" must be non-empty text, got ` +
            `${t === undefined ? 'nothing' : typeof t === 'string' ? 'empty text' : describe(t)}`,
        });
        return;
      }
      text = normalizeNewlines(t);
      const first = seenIds.get(id);
      if (first !== undefined) {
        problems.push({ line, message: `the id "${id}" was already used on line ${first}; this line is skipped` });
        return;
      }
      objects.set(line, o);
    }
    seenIds.set(id, line);
    tasks.push({ id, text, line });
  });
  return { tasks, problems, format: jsonl ? 'jsonl' : 'lines', objects };
}
