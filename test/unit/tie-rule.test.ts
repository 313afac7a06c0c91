// The one tie rule of judge-based decisions: only a strictly nearer score wins. Eval's accuracy (onLevel)
// counts a halfway score as a miss, and best-of's ranking keeps writing order between equal distances.
import assert from 'node:assert/strict';
import { onLevel } from '../../src/core/eval/metrics';
import { distanceToTarget } from '../../src/core/judge/levels';
import { rankCandidates } from '../../src/core/rewrite/best-of';

describe('the one tie rule', () => {
  it('onLevel: a score halfway between two evaluated targets is on neither level', () => {
    assert.equal(onLevel(30, 1, [1, 3, 5]), false);
    assert.equal(onLevel(30, 3, [1, 3, 5]), false);
    assert.equal(onLevel(29, 1, [1, 3, 5]), true);
    assert.equal(onLevel(31, 3, [1, 3, 5]), true);
  });

  it('best-of: equal distances keep writing order; a strictly nearer score wins; markup kept first', () => {
    const c = (index: number, score: number, markupLost: string[] = []) => ({
      index,
      score,
      distance: distanceToTarget(score, 3),
      markupLost,
    });
    // 60 and 40 are both 10 from 50: the first written stays first, whichever way round.
    assert.deepEqual(
      rankCandidates([c(0, 60), c(1, 40)]).map((x) => x.index),
      [0, 1],
    );
    assert.deepEqual(
      rankCandidates([c(0, 40), c(1, 60)]).map((x) => x.index),
      [0, 1],
    );
    assert.deepEqual(
      rankCandidates([c(0, 61), c(1, 40), c(2, 59)]).map((x) => x.index),
      [2, 1, 0],
    );
    assert.deepEqual(
      rankCandidates([c(0, 50, ['[a link]']), c(1, 70)]).map((x) => x.index),
      [1, 0],
    );
  });
});
