// Seeds derived one way everywhere: from a base seed and a key, so every run and model asks the same for one
// sample (eval, generate), and the n-th of a run of candidates (seed, seed + 1, …: best-of-N for passages and
// for writing prompts alike). All stay below SEED_RANGE, which engines and servers take as a seed.
import { fnv1a } from './text';

export const SEED_RANGE = 0x7fffffff;

/** The seed for `key` under `base`: stable across runs, different for different keys. */
export function keyedSeed(base: number, key: string): number {
  return (base + fnv1a(key)) % SEED_RANGE;
}

/** The seed of candidate `index` (0-based) of a run whose first candidate has `first`. */
export function nthSeed(first: number, index: number): number {
  return (first + index) % SEED_RANGE;
}
