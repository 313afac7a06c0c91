// Seeded train/test split that never lets one original text (or one swap pair) straddle both sides.
import { createHash } from 'node:crypto';
import type { PreferencePair } from './types';

export interface SplitOptions {
  /** Share of pairs to put in the test set, 0 < testFraction < 1. */
  testFraction: number;
  seed: number;
  /** Rewrite id → original text; pairs about the same text stay together. Without it, shared ids still group. */
  originals?: ReadonlyMap<string, string>;
}
export interface SplitResult {
  train: PreferencePair[];
  test: PreferencePair[];
  groups: number;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function rank(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}\u0000${key}`).digest('hex');
}

/**
 * Pairs are linked when they share an event id (both directions of a contrast pair do) or an original
 * text; whole linked groups go to one side. Groups are ordered by a seeded hash of their content, not
 * by input position, so the same seed gives the same split however the logs were concatenated.
 */
export function splitPairs(pairs: readonly PreferencePair[], options: SplitOptions): SplitResult {
  const { testFraction, seed, originals } = options;
  if (!(testFraction > 0 && testFraction < 1))
    throw new Error(`test split must be between 0 and 1 (exclusive), got ${testFraction}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);

  const uf = new UnionFind(pairs.length);
  const owner = new Map<string, number>();
  const link = (key: string, i: number): void => {
    const j = owner.get(key);
    if (j === undefined) owner.set(key, i);
    else uf.union(i, j);
  };
  pairs.forEach((p, i) => {
    for (const id of p.ids) {
      link(`id:${id}`, i);
      const text = originals?.get(id);
      if (text !== undefined) link(`text:${text}`, i);
    }
  });

  const groups = new Map<number, number[]>();
  pairs.forEach((_, i) => {
    const root = uf.find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  });
  const ordered = [...groups.values()]
    .map((members) => {
      const key = members.map((i) => JSON.stringify([pairs[i].prompt, pairs[i].chosen, pairs[i].rejected])).sort()[0];
      return { members, rank: rank(seed, key) };
    })
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));

  const target = Math.round(testFraction * pairs.length);
  const inTest = new Set<number>();
  for (const g of ordered) {
    if (inTest.size >= target) break;
    // Never hand every pair to the test set: training needs something.
    if (inTest.size + g.members.length >= pairs.length) continue;
    for (const i of g.members) inTest.add(i);
  }
  return {
    train: pairs.filter((_, i) => !inTest.has(i)),
    test: pairs.filter((_, i) => inTest.has(i)),
    groups: groups.size,
  };
}
