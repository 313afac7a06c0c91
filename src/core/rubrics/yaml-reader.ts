// Reading a rubric's YAML as the schema checks need it: a Reporter that collects problems at the line and column
// of their node and follows aliases within RUBRIC_LIMITS.aliases, a mapping's entries with merge keys applied,
// and the words messages use for what a value is.
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { RUBRIC_LIMITS } from './limits';
import type { RubricProblem } from './types';

/** Text from the file shown inside a message: on one line and short, whatever the file holds. */
export function quoted(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return `'${flat.length > 40 ? `${flat.slice(0, 40)}…` : flat}'`;
}

export const count = (n: number) => n.toLocaleString('en-US');

export class Reporter {
  readonly problems: RubricProblem[] = [];
  readonly lines = new LineCounter();
  /** Where each alias points (the last node anchored with its name before it), filled by indexAnchors. */
  private readonly targets = new Map<Alias, Node | undefined>();
  private aliasesFollowed = 0;
  private aliasLimitReported = false;

  constructor(readonly file: string) {
    this.lines.addNewLine(0);
  }

  /** Line starts of `text` (newlines already normalised to \n). */
  indexLines(text: string): void {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lines.addNewLine(i + 1);
  }

  /**
   * One pass over the document in order: each alias gets the node most recently anchored with its name.
   * Returns the aliases with no such anchor (YAML's composer lets them through).
   */
  indexAnchors(doc: Document): Alias[] {
    const latest = new Map<string, Node>();
    const unresolved: Alias[] = [];
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = latest.get(node.source);
          if (target) this.targets.set(node, target);
          else unresolved.push(node);
        } else if (node.anchor) {
          latest.set(node.anchor, node);
        }
      },
    });
    return unresolved;
  }

  /**
   * The node an alias stands for (a node that is not an alias is itself). Each alias followed counts
   * toward RUBRIC_LIMITS.aliases; past it, or for an alias with no anchor before it, the value is
   * undefined and the problem is reported at the alias.
   */
  deref(value: unknown): unknown {
    let node = value;
    // An anchor cannot sit on an alias, so one hop reaches a node; the loop only guards that.
    while (isAlias(node)) {
      const alias: Alias = node;
      if (++this.aliasesFollowed > RUBRIC_LIMITS.aliases) {
        if (!this.aliasLimitReported) {
          this.aliasLimitReported = true;
          this.error(
            alias,
            `more than ${RUBRIC_LIMITS.aliases} aliases (*name) are followed in this file; write the values out ` +
              `instead`,
          );
        }
        return undefined;
      }
      // indexAnchors found every alias a target before reading started (or reading stopped).
      node = this.targets.get(alias);
    }
    return node;
  }

  position(offset: number): { line: number; col: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(1, line), col: Math.max(1, col) };
  }

  error(at: Node | number | null | undefined, message: string): void {
    this.push(at, message, 'error');
  }

  warn(at: Node | number | null | undefined, message: string): void {
    this.push(at, `warning: ${message}`, 'warning');
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity !== 'warning');
  }

  private push(at: Node | number | null | undefined, message: string, severity: 'error' | 'warning'): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    this.problems.push({ file: this.file, ...this.position(offset), message, severity });
  }
}

/** What a YAML value is, in words, for "must be X, got Y" messages. */
export function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `${String(v)}`;
    if (typeof v === 'string') return 'text';
  }
  return 'something else';
}

/** One key and its value in a mapping, the value's aliases already followed. */
export interface Entry {
  key: Node | null;
  /** The key's name when it is a plain string or number. */
  name?: string;
  value: unknown;
}

/** A null value (`key:` with nothing after it) has a zero-width range on the next line; point at the key. */
export function valueOrKey(entry: Entry): Node | null {
  const v = entry.value as Node | null | undefined;
  if (v && !(isScalar(v) && v.value === null)) return v;
  return entry.key;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

function keyName(key: unknown): string | undefined {
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/**
 * A mapping's entries with merge keys (`<<: *base`, `<<: [*a, *b]`) applied as YAML defines them: the
 * mapping's own keys win, then earlier merged mappings over later ones. A mapping merged into itself
 * (through an alias) is merged once.
 */
export function entriesOf(
  r: Reporter,
  map: YAMLMap<unknown, unknown>,
  seen = new Set<YAMLMap<unknown, unknown>>(),
): Entry[] {
  seen.add(map);
  const own: Entry[] = [];
  const merged: Entry[] = [];
  for (const pair of map.items as Pair<unknown, unknown>[]) {
    const key = r.deref(pair.key);
    if (!isMergeKey(key)) {
      own.push({ key: (key as Node | null) ?? null, name: keyName(key), value: r.deref(pair.value) });
      continue;
    }
    const source = r.deref(pair.value);
    const sources = isSeq(source) ? source.items.map((item) => r.deref(item)) : [source];
    for (const s of sources) {
      if (!isMap(s)) {
        r.error(
          (s as Node | null) ?? (pair.key as Node),
          `a merge key '<<' takes a mapping or a list of mappings, got ${describe(s)}`,
        );
        continue;
      }
      if (!seen.has(s)) merged.push(...entriesOf(r, s, seen));
    }
  }
  const out = [...own];
  const names = new Set(own.map((e) => e.name));
  for (const e of merged) {
    if (e.name !== undefined && names.has(e.name)) continue;
    names.add(e.name);
    out.push(e);
  }
  return out;
}

/** Collects a mapping's entries by key, warning about keys outside `known`. */
export function fieldsOf(
  r: Reporter,
  map: YAMLMap<unknown, unknown>,
  known: readonly string[],
  where: string,
): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const entry of entriesOf(r, map)) {
    if (entry.name === undefined) {
      r.error(entry.key, `${where}: keys must be plain names, got ${describe(entry.key)}`);
      continue;
    }
    if (!known.includes(entry.name)) {
      r.warn(entry.key, `unknown key ${quoted(entry.name)} in ${where} (ignored; expected one of ${known.join(', ')})`);
      continue;
    }
    out.set(entry.name, entry);
  }
  return out;
}

/** A character as U+XXXX, for messages about characters that cannot be shown. */
export function codePoint(ch: string): string {
  return `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
