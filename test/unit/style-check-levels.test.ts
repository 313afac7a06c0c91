// The histogram's numbers and where a bar's click goes (core/check/levels.ts).
import * as assert from 'node:assert/strict';
import { levelCounts, nextAtLevel, type CheckedParagraph } from '../../src/core/check';

const p = (start: number, level: 1 | 2 | 3 | 4 | 5, status: CheckedParagraph['status'] = 'scored') =>
  ({
    start,
    end: start + 10,
    line: 1,
    endLine: 1,
    text: '',
    status,
    level,
    offTarget: false,
    cached: false,
  }) as CheckedParagraph;

describe('style check: levels for the sidebar', () => {
  const paragraphs = [p(0, 2), p(20, 4), p(40, 2), p(60, 5, 'failed'), p(80, 2, 'cancelled'), p(100, 5)];

  it('counts scored paragraphs per level only', () => {
    assert.deepEqual(levelCounts({ paragraphs }), [0, 2, 0, 1, 1]);
    assert.deepEqual(levelCounts({ paragraphs: [] }), [0, 0, 0, 0, 0]);
  });

  it('goes to the next paragraph at the level after the cursor, wrapping round, skipping unscored ones', () => {
    assert.equal(nextAtLevel(paragraphs, 2, -1)?.start, 0);
    assert.equal(nextAtLevel(paragraphs, 2, 0)?.start, 40, 'from the start of one, the next');
    assert.equal(nextAtLevel(paragraphs, 2, 45)?.start, 0, 'past the last, the first (not the cancelled one)');
    assert.equal(nextAtLevel(paragraphs, 5, 0)?.start, 100, 'not the failed one');
    assert.equal(nextAtLevel(paragraphs, 1, 0), undefined);
  });
});
