import assert from 'node:assert/strict';
import type { FeedbackEvent } from '../../src/core/feedback';
import { buildPairs, splitPairs } from '../../src/core/pairs';
import type { PreferencePair } from '../../src/core/pairs';
import type { Level } from '../../src/core/rubrics/types';
import { decide, rewrite } from '../fixtures/feedback/events';

/** 30 texts, each with accepted rewrites at levels 1, 3 and 5 (6 contrast pairs) and one edit. */
function corpus(): FeedbackEvent[] {
  const events: FeedbackEvent[] = [];
  for (let t = 0; t < 30; t++) {
    for (const level of [1, 3, 5] as Level[]) {
      const id = `t${t}-l${level}`;
      events.push(
        rewrite(id, `text ${t}`, `out ${t} ${level}`, level),
        decide(`d-${id}`, id, level === 3 ? 'edited' : 'accepted', level === 3 ? `edited ${t}` : `out ${t} ${level}`),
      );
    }
  }
  return events;
}

const key = (p: PreferencePair) => JSON.stringify([p.prompt, p.chosen, p.rejected]);

describe('splitPairs', () => {
  const result = buildPairs(corpus());
  const options = { testFraction: 0.2, seed: 7, originals: result.originals };

  it('is deterministic for a seed, whatever the input order', () => {
    const a = splitPairs(result.pairs, options);
    const b = splitPairs([...result.pairs].reverse(), options);
    assert.deepEqual(a.test.map(key).sort(), b.test.map(key).sort());
    assert.deepEqual(a.train.map(key).sort(), b.train.map(key).sort());
  });

  it('different seeds give different splits, each about the requested size', () => {
    const tests = [1, 2, 3].map((seed) =>
      splitPairs(result.pairs, { ...options, seed })
        .test.map(key)
        .sort()
        .join(),
    );
    assert.equal(new Set(tests).size, 3);
    const { train, test } = splitPairs(result.pairs, options);
    assert.equal(train.length + test.length, result.pairs.length);
    assert.ok(Math.abs(test.length - 0.2 * result.pairs.length) <= 7, `test size ${test.length}`);
  });

  it('keeps both swap directions and all pairs of one original text on the same side', () => {
    const { train, test } = splitPairs(result.pairs, options);
    const textOf = (p: PreferencePair) => p.prompt[1].content;
    const trainTexts = new Set(train.map(textOf));
    assert.ok(test.length > 0);
    for (const p of test) assert.ok(!trainTexts.has(textOf(p)), `${textOf(p)} is on both sides`);
    const testIds = new Set(test.flatMap((p) => p.ids));
    for (const p of train) assert.ok(p.ids.every((id) => !testIds.has(id)));
    // Every test contrast pair has its mirrored pair in test too.
    for (const p of test.filter((q) => q.source === 'contrast')) {
      assert.ok(
        test.some(
          (q) =>
            q.source === 'contrast' &&
            q.chosen[0].content === p.rejected[0].content &&
            q.rejected[0].content === p.chosen[0].content,
        ),
      );
    }
  });

  it('without originals, pairs sharing a rewrite still stay together', () => {
    const { train, test } = splitPairs(result.pairs, { testFraction: 0.3, seed: 1 });
    const testIds = new Set(test.flatMap((p) => p.ids));
    assert.ok(test.length > 0);
    for (const p of train) assert.ok(p.ids.every((id) => !testIds.has(id)));
  });

  it('refuses fractions outside (0, 1) and non-integer seeds', () => {
    assert.throws(() => splitPairs(result.pairs, { testFraction: 1, seed: 1 }), /between 0 and 1/);
    assert.throws(() => splitPairs(result.pairs, { testFraction: 0, seed: 1 }), /between 0 and 1/);
    assert.throws(() => splitPairs(result.pairs, { testFraction: 0.5, seed: 1.5 }), /seed must be an integer/);
  });
});
