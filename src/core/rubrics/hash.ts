import { createHash } from 'node:crypto';
import type { Rubric } from './types';

/**
 * sha256 (first 16 hex) of the rubric's content in a canonical form: key order fixed, directives in
 * level order, source path left out. The same rubric therefore hashes the same wherever it lives and
 * however its YAML is laid out (flow vs block style, quoting, key order), so feedback logs can tell
 * which version of a style produced a rewrite.
 */
export function rubricHash(rubric: Omit<Rubric, 'hash' | 'source'>): string {
  const canonical = {
    id: rubric.id,
    title: rubric.title,
    summary: rubric.summary,
    levels: [...rubric.levels],
    criteria: rubric.criteria.map((c) => ({ name: c.name, weight: c.weight, levels: [...c.levels] })),
    scoring: rubric.scoring,
    directives: ([1, 2, 3, 4, 5] as const).map((l) => rubric.directives[l] ?? null),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
