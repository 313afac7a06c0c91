// Contrast pairs (the swap trick) of one original text and rubric, capped and balanced across level pairs.
// Uncapped, k kept rewrites of one text give about k²/2 pairs (1,000 repeats → ~800k pairs, 1.7 GB), all
// about that one text; the cap keeps each text's share bounded and every level pair equally represented.
import { createHash } from 'node:crypto';
import type { Judged } from './build';
import type { ContrastCap } from './types';

/**
 * Rows per (text, rubric) in all, and per two levels. One kept rewrite per level (the usual case) gives
 * 2 rows per level pair and at most 20 for five levels, so the cap never binds there; it binds on
 * repeats: 4 different combinations per level pair, 2 each when all ten level pairs are present.
 */
export const DEFAULT_CONTRAST_CAP: ContrastCap = { perGroup: 40, perLevelPair: 8 };

/** A kept rewrite at one level; `at` is its position in time order (the earlier side is emitted first). */
interface Side {
  j: Judged;
  text: string;
  at: number;
}

interface LevelPair {
  a: Side[];
  b: Side[];
  /** Rows all their combinations would give (same texts give none; a side that lost markup is never chosen). */
  possible: number;
  made: number;
  next: Iterator<[number, number]>;
  done: boolean;
}

function rowsOf(a: Side, b: Side): number {
  return a.text === b.text ? 0 : (a.j.lostMarkup ? 0 : 1) + (b.j.lostMarkup ? 0 : 1);
}

/** Σ rowsOf over every combination, in linear time (a formula, with a map for the same-text combinations). */
function possibleRows(a: Side[], b: Side[]): number {
  const lostA = a.filter((s) => s.j.lostMarkup).length;
  const lostB = b.filter((s) => s.j.lostMarkup).length;
  let rows = 2 * a.length * b.length - b.length * lostA - a.length * lostB;
  const byText = new Map<string, { n: number; lost: number }>();
  for (const s of b) {
    const m = byText.get(s.text) ?? { n: 0, lost: 0 };
    m.n++;
    if (s.j.lostMarkup) m.lost++;
    byText.set(s.text, m);
  }
  for (const s of a) {
    const m = byText.get(s.text);
    if (m) rows -= m.n * (s.j.lostMarkup ? 0 : 1) + (m.n - m.lost);
  }
  return rows;
}

/**
 * Every (i, j) once, in rounds that each use every i once and the j's evenly, so a capped level pair
 * draws on as many different rewrites as it can; the start offsets give each level pair its own window
 * of a level's rewrites, so different level pairs use different rewrites where there are enough.
 */
function* combinations(n1: number, n2: number, start1: number, start2: number): Generator<[number, number]> {
  for (let d = 0; d < n2; d++) for (let i = 0; i < n1; i++) yield [(i + start1) % n1, (i + d + start2) % n2];
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64');
}

/**
 * Emits the contrast pairs of one group (the positive rewrites of one text and rubric, in time order):
 * level pairs take turns, one combination each, until each reaches `perLevelPair` rows or the group
 * `perGroup`. Within a level the newest rewrites come first (the writer's latest taste), and exact
 * repeats (same prompt, same kept text) are one rewrite. Returns how many rows the cap left out and the
 * rewrite ids that had contrast pairs to give (made or capped), which are therefore no KTO examples.
 */
export function contrastPairs(
  group: readonly Judged[],
  cap: ContrastCap,
  emit: (chosen: Judged, rejected: Judged) => void,
): { capped: number; paired: string[] } {
  const byLevel = new Map<number, Side[]>();
  const members = new Map<number, string[]>();
  const seen = new Set<string>();
  for (let at = group.length - 1; at >= 0; at--) {
    const j = group[at];
    const level = j.rewrite.level;
    const ids = members.get(level) ?? [];
    ids.push(j.rewrite.id);
    members.set(level, ids);
    const text = j.kept.trim();
    const key = hash([level, j.rewrite.system, j.rewrite.user, text]);
    if (seen.has(key)) continue;
    seen.add(key);
    const sides = byLevel.get(level) ?? [];
    sides.push({ j, text, at });
    byLevel.set(level, sides);
  }

  const levels = [...byLevel.keys()].sort((x, y) => x - y);
  const pairs: LevelPair[] = [];
  const paired = new Set<number>();
  for (let x = 0; x < levels.length; x++) {
    for (let y = x + 1; y < levels.length; y++) {
      const a = byLevel.get(levels[x])!;
      const b = byLevel.get(levels[y])!;
      const possible = possibleRows(a, b);
      if (possible > 0) paired.add(levels[x]).add(levels[y]);
      const window = Math.ceil(cap.perLevelPair / 2);
      pairs.push({
        a,
        b,
        possible,
        made: 0,
        next: combinations(a.length, b.length, y * window, x * window),
        done: possible === 0,
      });
    }
  }

  let total = 0;
  let active = pairs.filter((p) => !p.done);
  while (active.length > 0) {
    for (const p of active) {
      let combo: [Side, Side] | undefined;
      let rows = 0;
      // Skips combinations that give nothing; there are at most as many as `possible` leaves out.
      for (let step = p.next.next(); !step.done; step = p.next.next()) {
        const [i, k] = step.value;
        rows = rowsOf(p.a[i], p.b[k]);
        if (rows > 0) {
          combo = [p.a[i], p.b[k]];
          break;
        }
      }
      if (!combo || p.made + rows > cap.perLevelPair || total + rows > cap.perGroup) {
        p.done = true;
        continue;
      }
      const [first, second] = combo[0].at <= combo[1].at ? combo : [combo[1], combo[0]];
      if (!first.j.lostMarkup) emit(first.j, second.j);
      if (!second.j.lostMarkup) emit(second.j, first.j);
      p.made += rows;
      total += rows;
    }
    active = active.filter((p) => !p.done);
  }

  let capped = 0;
  for (const p of pairs) capped += p.possible - p.made;
  const ids: string[] = [];
  for (const level of paired) for (const id of members.get(level)!) ids.push(id);
  return { capped, paired: ids };
}
