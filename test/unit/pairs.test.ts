import assert from 'node:assert/strict';
import path from 'node:path';
import { readFeedbackLog } from '../../src/core/feedback';
import type { FeedbackEvent } from '../../src/core/feedback';
import { buildPairs } from '../../src/core/pairs';
import type { PreferencePair } from '../../src/core/pairs';
import { decide, fixturesDir, rewrite, systemFor } from '../fixtures/feedback/events';

const texts = (p: PreferencePair) => ({
  system: p.prompt[0].content,
  user: p.prompt[1].content,
  chosen: p.chosen[0].content,
  rejected: p.rejected[0].content,
});

describe('buildPairs', () => {
  it('an edit gives chosen = final text, rejected = model output, with the rewrite prompt', () => {
    const r = rewrite('r1', 'hi there', 'Greetings.', 4);
    const { pairs, unpaired } = buildPairs([r, decide('d1', 'r1', 'edited', 'Good day.')]);
    assert.equal(pairs.length, 1);
    const p = pairs[0];
    assert.deepEqual(p.prompt, [
      { role: 'system', content: r.system },
      { role: 'user', content: r.user },
    ]);
    assert.deepEqual(p.chosen, [{ role: 'assistant', content: 'Good day.' }]);
    assert.deepEqual(p.rejected, [{ role: 'assistant', content: 'Greetings.' }]);
    assert.equal(p.source, 'edit');
    assert.equal(p.rubric, 'formality');
    assert.equal(p.level, 4);
    assert.deepEqual(p.ids, ['r1', 'd1']);
    assert.deepEqual(unpaired, []);
  });

  it('an edit identical to the output after trimming gives no pair and counts as accepted', () => {
    const result = buildPairs([rewrite('r1', 'a', 'Same text.'), decide('d1', 'r1', 'edited', '  Same text.\n')]);
    assert.deepEqual(result.pairs, []);
    assert.equal(result.editsUnchanged, 1);
    assert.equal(result.unpaired.length, 1);
    assert.equal(result.unpaired[0].label, true);
  });

  it('a rejection followed by an accepted regeneration of the same text and style gives a regenerate pair', () => {
    const events = [
      rewrite('bad', 'the text', 'worse', 5),
      decide('d-bad', 'bad', 'rejected', 'worse'),
      rewrite('good', 'the text', 'better', 5),
      decide('d-good', 'good', 'accepted', 'better'),
    ];
    const { pairs, unpaired } = buildPairs(events);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].source, 'regenerate');
    assert.deepEqual(texts(pairs[0]), {
      system: systemFor('formality', 5),
      user: 'Rewrite:\nthe text',
      chosen: 'better',
      rejected: 'worse',
    });
    assert.deepEqual(pairs[0].ids, ['good', 'bad', 'd-good', 'd-bad']);
    assert.deepEqual(unpaired, []);
  });

  it('an edited regeneration wins with its final text (and also gives its edit pair)', () => {
    const events = [
      rewrite('bad', 't', 'worse', 2),
      decide('d-bad', 'bad', 'rejected', 'worse'),
      rewrite('good', 't', 'ok', 2),
      decide('d-good', 'good', 'edited', 'best'),
    ];
    const { pairs } = buildPairs(events);
    const regen = pairs.filter((p) => p.source === 'regenerate');
    assert.deepEqual(
      regen.map(texts).map((t) => [t.chosen, t.rejected]),
      [['best', 'worse']],
    );
    assert.deepEqual(
      pairs
        .filter((p) => p.source === 'edit')
        .map(texts)
        .map((t) => [t.chosen, t.rejected]),
      [['best', 'ok']],
    );
  });

  it('no regenerate pair when the acceptance came first, the level differs or the rubric differs', () => {
    const cases: FeedbackEvent[][] = [
      [
        rewrite('g', 't', 'better', 3),
        decide('dg', 'g', 'accepted', 'better'),
        rewrite('b', 't', 'worse', 3),
        decide('db', 'b', 'rejected', 'worse'),
      ],
      [
        rewrite('b', 't', 'worse', 3),
        decide('db', 'b', 'rejected', 'worse'),
        rewrite('g', 't', 'better', 4),
        decide('dg', 'g', 'accepted', 'better'),
      ],
      [
        rewrite('b', 't', 'worse', 3, 'concision'),
        decide('db', 'b', 'rejected', 'worse'),
        rewrite('g', 't', 'better', 3),
        decide('dg', 'g', 'accepted', 'better'),
      ],
    ];
    for (const events of cases) {
      const result = buildPairs(events);
      assert.equal(result.pairs.filter((p) => p.source === 'regenerate').length, 0);
      assert.deepEqual(result.unpaired.map((k) => [k.id, k.label]).sort(), [
        ['b', false],
        ['g', true],
      ]);
    }
  });

  it('two rejections before one acceptance give two regenerate pairs', () => {
    const events = [
      rewrite('b1', 't', 'w1'),
      decide('d1', 'b1', 'rejected', 'w1'),
      rewrite('b2', 't', 'w2'),
      decide('d2', 'b2', 'rejected', 'w2'),
      rewrite('g', 't', 'good'),
      decide('d3', 'g', 'accepted', 'good'),
    ];
    assert.deepEqual(
      buildPairs(events).pairs.map((p) => texts(p).rejected),
      ['w1', 'w2'],
    );
  });

  it('the swap trick: accepted rewrites at two levels give both directions, each under its own system prompt', () => {
    const lo = rewrite('lo', 'x text', 'y low', 1);
    const hi = rewrite('hi', 'x text', 'y high', 5);
    const { pairs, unpaired } = buildPairs([
      lo,
      decide('dlo', 'lo', 'accepted', 'y low'),
      hi,
      decide('dhi', 'hi', 'accepted', 'y high'),
    ]);
    assert.equal(pairs.length, 2);
    assert.ok(pairs.every((p) => p.source === 'contrast'));
    const [a, b] = pairs;
    assert.deepEqual(texts(a), { system: lo.system, user: lo.user, chosen: 'y low', rejected: 'y high' });
    assert.equal(a.level, 1);
    assert.deepEqual(texts(b), { system: hi.system, user: hi.user, chosen: 'y high', rejected: 'y low' });
    assert.equal(b.level, 5);
    assert.notEqual(a.prompt[0].content, b.prompt[0].content);
    assert.deepEqual(unpaired, []);
  });

  it("contrast uses an edited rewrite's final text and pairs every two levels of one rubric", () => {
    const events = [
      rewrite('l1', 'x', 'o1', 1),
      decide('d1', 'l1', 'accepted', 'o1'),
      rewrite('l3', 'x', 'o3', 3),
      decide('d3', 'l3', 'edited', 'e3'),
      rewrite('l5', 'x', 'o5', 5),
      decide('d5', 'l5', 'accepted', 'o5'),
      rewrite('other', 'x', 'oc', 2, 'concision'),
      decide('dc', 'other', 'accepted', 'oc'),
    ];
    const contrast = buildPairs(events).pairs.filter((p) => p.source === 'contrast');
    assert.equal(contrast.length, 6);
    const got = contrast.map((p) => `${p.level}:${texts(p).chosen}>${texts(p).rejected}`).sort();
    assert.deepEqual(got, ['1:o1>e3', '1:o1>o5', '3:e3>o1', '3:e3>o5', '5:o5>e3', '5:o5>o1']);
  });

  it('rejected rewrites and same-level rewrites form no contrast pair', () => {
    const events = [
      rewrite('a', 'x', 'oa', 2),
      decide('da', 'a', 'accepted', 'oa'),
      rewrite('b', 'x', 'ob', 2),
      decide('db', 'b', 'accepted', 'ob'),
      rewrite('c', 'x', 'oc', 4),
      decide('dc', 'c', 'rejected', 'oc'),
    ];
    const result = buildPairs(events);
    assert.deepEqual(result.pairs, []);
    assert.equal(result.unpaired.length, 3);
  });

  it('drops exact duplicates and counts them', () => {
    const events: FeedbackEvent[] = [];
    for (const n of [1, 2]) {
      events.push(rewrite(`r${n}`, 'same', 'model out', 3), decide(`d${n}`, `r${n}`, 'edited', 'writer text'));
    }
    const result = buildPairs(events);
    assert.equal(result.pairs.filter((p) => p.source === 'edit').length, 1);
    assert.equal(result.duplicatesDropped, 1);
  });

  it('the latest decision wins: accepted then edited is an edit', () => {
    const events = [
      rewrite('r', 't', 'out'),
      decide('d1', 'r', 'accepted', 'out'),
      decide('d2', 'r', 'edited', 'fixed'),
    ];
    const result = buildPairs(events);
    assert.deepEqual(
      result.pairs.map((p) => [p.source, ...p.ids]),
      [['edit', 'r', 'd2']],
    );
    assert.deepEqual(result.unpaired, []);
  });

  it('the latest decision wins by time, even when logged out of order', () => {
    const events = [
      rewrite('r', 't', 'out'),
      decide('late', 'r', 'rejected', 'out', '2030-01-02T00:00:00Z'),
      decide('early', 'r', 'edited', 'x', '2030-01-01T00:00:00Z'),
    ];
    const result = buildPairs(events);
    assert.deepEqual(result.pairs, []);
    assert.deepEqual(
      result.unpaired.map((k) => [k.id, k.label]),
      [['r', false]],
    );
  });

  it('reports decisions whose rewrite is missing, and counts rewrites nobody decided on', () => {
    const result = buildPairs([rewrite('r', 't', 'o'), decide('d', 'ghost', 'accepted', 'o')]);
    assert.deepEqual(
      result.decisionsWithoutRewrite.map((d) => d.id),
      ['d'],
    );
    assert.equal(result.rewritesWithoutDecision, 1);
    assert.deepEqual(result.pairs, []);
    assert.deepEqual(result.unpaired, []);
  });

  it('unpaired decisions become KTO examples with the rewrite prompt', () => {
    const r = rewrite('r', 't', 'out', 2, 'concision');
    const { unpaired } = buildPairs([r, decide('d', 'r', 'rejected', 'out')]);
    assert.deepEqual(unpaired, [
      {
        prompt: [
          { role: 'system', content: r.system },
          { role: 'user', content: r.user },
        ],
        completion: [{ role: 'assistant', content: 'out' }],
        label: false,
        rubric: 'concision',
        level: 2,
        id: 'r',
      },
    ]);
  });

  it('builds the expected mix from the sample log fixture', async () => {
    const { events, skipped } = await readFeedbackLog(path.join(fixturesDir, 'sample.jsonl'));
    assert.deepEqual(skipped, []);
    const result = buildPairs(events);
    const bySource = (s: string) => result.pairs.filter((p) => p.source === s).length;
    assert.deepEqual([bySource('edit'), bySource('regenerate'), bySource('contrast')], [1, 1, 2]);
    assert.deepEqual(
      result.unpaired.map((k) => [k.id, k.label]),
      [
        ['r-solo-acc', true],
        ['r-solo-rej', false],
      ],
    );
    assert.deepEqual(
      result.decisionsWithoutRewrite.map((d) => d.id),
      ['d-orphan'],
    );
  });
});
