// core/eval's metrics: τ-b and ρ by hand on small cases with ties and against SciPy on many random
// inputs (test/fixtures/eval/correlation-reference.json, written by scripts/eval-correlation-reference.py),
// accuracy and order accuracy on constructed samples, and the 3-level ceiling the README quotes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  accuracy,
  averageRanks,
  computeMetrics,
  kendallTauB,
  orderAccuracy,
  quantile,
  spearmanRho,
  type Scored,
} from '../../src/core/eval';
import type { Level } from '../../src/core/rubrics';
import { repoRoot } from '../fixtures/rubrics/paths';

interface ReferenceCase {
  x: number[];
  y: number[];
  tauB: number | null;
  rho: number | null;
}

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('core/eval metrics', () => {
  describe('Kendall τ-b and Spearman ρ', () => {
    it('match hand-computed values on small inputs with ties on both sides', () => {
      // Pairs: 6 concordant, 0 discordant, 2 tied in level, 2 tied in score, of 10: 6 / √(8·8).
      const x = [1, 1, 3, 3, 5];
      const y = [10, 20, 20, 50, 50];
      close(kendallTauB(x, y), 0.75);
      // Average ranks 1.5 1.5 3.5 3.5 5 against 1 2.5 2.5 4.5 4.5: Σdxdy = 7.25, Σdx² = Σdy² = 9.
      assert.deepEqual(averageRanks(x), [1.5, 1.5, 3.5, 3.5, 5]);
      assert.deepEqual(averageRanks(y), [1, 2.5, 2.5, 4.5, 4.5]);
      close(spearmanRho(x, y), 29 / 36);
      // 1 concordant, 3 discordant, one pair tied in each of 6: −2 / √(5·5); ranks give −2.25 / 4.5.
      close(kendallTauB([1, 2, 2, 3], [3, 1, 2, 2]), -0.4);
      close(spearmanRho([1, 2, 2, 3], [3, 1, 2, 2]), -0.5);
      // Perfect agreement with identical tie structure is 1; order reversed is −1.
      close(kendallTauB([1, 1, 5, 5], [10, 10, 90, 90]), 1);
      close(spearmanRho([1, 1, 5, 5], [90, 90, 10, 10]), -1);
    });

    it('are NaN when one side is constant, and refuse unpaired or non-finite input', () => {
      assert.ok(Number.isNaN(kendallTauB([3, 3, 3], [1, 2, 3])));
      assert.ok(Number.isNaN(spearmanRho([1, 2, 3], [50, 50, 50])));
      assert.throws(() => kendallTauB([1, 2], [1]), /paired/);
      assert.throws(() => spearmanRho([1, Number.NaN], [1, 2]), /finite/);
    });

    it('agree with SciPy to 1e-9 on 200+ random inputs full of ties', () => {
      const ref = JSON.parse(
        readFileSync(path.join(repoRoot, 'test', 'fixtures', 'eval', 'correlation-reference.json'), 'utf8'),
      ) as { scipy: string; cases: ReferenceCase[] };
      assert.ok(ref.cases.length >= 200);
      let compared = 0;
      for (const [i, c] of ref.cases.entries()) {
        const tau = kendallTauB(c.x, c.y);
        const rho = spearmanRho(c.x, c.y);
        if (c.tauB === null) assert.ok(Number.isNaN(tau), `case ${i}: SciPy says nan, we say ${tau}`);
        else assert.ok(Math.abs(tau - c.tauB) <= 1e-9, `case ${i}: τ-b ${tau} vs SciPy ${c.tauB}`);
        if (c.rho === null) assert.ok(Number.isNaN(rho), `case ${i}: SciPy says nan, we say ${rho}`);
        else assert.ok(Math.abs(rho - c.rho) <= 1e-9, `case ${i}: ρ ${rho} vs SciPy ${c.rho}`);
        if (c.tauB !== null) compared++;
      }
      assert.ok(compared >= 150, `most cases have a defined τ-b (${compared})`);
    });

    it(
      'with 3 levels and a perfect judge whose scores never tie, stop at √(2m/(3m−1)) → 0.816 ' +
        '(τ-b) ' +
        'and 0.943 (ρ)',
      () => {
        for (const m of [10, 1000]) {
          const x = [1, 3, 5].flatMap((l) => Array<number>(m).fill(l));
          const y = x.map((_, i) => i);
          close(kendallTauB(x, y), Math.sqrt((2 * m) / (3 * m - 1)), 1e-12);
          if (m === 1000) {
            close(kendallTauB(x, y), Math.sqrt(2 / 3), 1e-3);
            close(spearmanRho(x, y), Math.sqrt(8 / 9), 1e-3);
          }
        }
      },
    );
  });

  describe('accuracy, order accuracy and per-level statistics', () => {
    const s = (textId: string, level: Level, score: number, rubric = 'formality'): Scored => ({
      textId,
      rubric,
      level,
      score,
      seconds: 1,
    });

    it("accuracy: strictly nearer its own target than any other evaluated level's; halfway is a miss", () => {
      const samples = [s('a', 1, 29), s('a', 1, 30), s('a', 3, 69), s('a', 3, 70), s('a', 5, 100), s('a', 5, 50)];
      assert.equal(accuracy(samples, [1, 3, 5]), 3 / 6);
      // With all five levels 29 sits nearer level 2's 30 and 69 nearer level 4's 70.
      assert.equal(accuracy(samples, [1, 2, 3, 4, 5]), 1 / 6);
      assert.equal(accuracy(samples, [3]), null);
      assert.equal(accuracy([], [1, 5]), null);
    });

    it('order accuracy: groups whose mean rises strictly with the level; incomplete groups do not count', () => {
      const samples = [
        // a/formality: means 20, 50, 80: ordered. b/formality: 40, 40, 90: a tie is not a rise.
        s('a', 1, 10),
        s('a', 1, 30),
        s('a', 3, 50),
        s('a', 5, 80),
        s('b', 1, 40),
        s('b', 3, 40),
        s('b', 5, 90),
        // a/warmth: ordered; c/formality lacks level 5 and is left out.
        s('a', 1, 5, 'warmth'),
        s('a', 3, 6, 'warmth'),
        s('a', 5, 7, 'warmth'),
        s('c', 1, 10),
        s('c', 3, 90),
      ];
      assert.deepEqual(orderAccuracy(samples, [1, 3, 5]), { value: 2 / 3, groups: 3 });
      // With levels 1 and 3 only, c/formality counts and b/formality (40 → 40) still fails.
      assert.deepEqual(orderAccuracy(samples, [3, 1]), { value: 3 / 4, groups: 4 });
      assert.deepEqual(orderAccuracy(samples, [1]), { value: null, groups: 0 });
    });

    it('computeMetrics: n, quartiles as NumPy computes them, sample sd, seconds', () => {
      const samples = [s('a', 1, 10), s('a', 1, 20), s('a', 1, 40), s('a', 1, 70), s('a', 5, 90)];
      const m = computeMetrics(samples, [5, 1]);
      assert.deepEqual(m.levels, [1, 5]);
      assert.equal(m.n, 5);
      assert.equal(m.seconds, 5);
      const l1 = m.perLevel[0];
      // numpy.percentile([10, 20, 40, 70], [25, 50, 75]) = 17.5, 30, 47.5; sd = √(2100 / 3).
      assert.deepEqual([l1.n, l1.mean, l1.min, l1.q1, l1.median, l1.q3, l1.max], [4, 35, 10, 17.5, 30, 47.5, 70]);
      close(l1.sd!, Math.sqrt(2100 / 3));
      assert.deepEqual([m.perLevel[1].n, m.perLevel[1].sd, m.perLevel[1].median], [1, null, 90]);
      assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
      // Level 1 scores 40 and 70 are nearer 90 than 10 only for 70 (|60| > |20|): 4 of 5 hits.
      assert.equal(m.accuracy, 4 / 5);
      assert.equal(computeMetrics([s('a', 3, 50)], [3]).tauB, null);
    });
  });
});
