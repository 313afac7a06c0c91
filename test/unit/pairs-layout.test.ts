// Pairs never teach layout: the log keeps a proposal as inserted (hard-wrapped like its original), the
// writer may re-wrap an edit, yet both sides of every pair, and KTO completions, have the line breaks
// inside their paragraphs joined, so chosen and rejected differ by wording alone.
import assert from 'node:assert/strict';
import { buildPairs } from '../../src/core/pairs';
import { joinLineBreaks } from '../../src/core/layout';
import { decide, rewrite } from '../fixtures/feedback/events';

describe('pairs and layout', () => {
  it('joinLineBreaks: paragraph breaks joined; blank lines, list items and comment markers kept', () => {
    assert.equal(joinLineBreaks('One two\nthree.\n\nFour\nfive.', 'markdown'), 'One two three.\n\nFour five.');
    assert.equal(joinLineBreaks('- a long\n  item\n- b', 'markdown'), '- a long item\n- b');
    assert.equal(joinLineBreaks('  // a comment\n  // on two lines', 'typescript'), '  // a comment on two lines');
    // A fence's lines mean something: left as they are.
    assert.equal(joinLineBreaks('Text\n```\na\nb\n```', 'markdown'), 'Text\n```\na\nb\n```');
  });

  it('an edit that differs from the output in wording and wrapping pairs the joined texts', () => {
    const r = rewrite('r1', 'the text\nwrapped', 'The model wrote\nthis on two lines.');
    const { pairs } = buildPairs([r, decide('d1', 'r1', 'edited', 'The writer wrote this\non two lines.')]);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].chosen[0].content, 'The writer wrote this on two lines.');
    assert.equal(pairs[0].rejected[0].content, 'The model wrote this on two lines.');
  });

  it('an edit that only re-wrapped the output is no preference: it counts as unchanged', () => {
    const r = rewrite('r1', 'a b', 'Same words in a\ndifferent wrap.');
    const result = buildPairs([r, decide('d1', 'r1', 'edited', 'Same words\nin a different wrap.')]);
    assert.deepEqual(result.pairs, []);
    assert.equal(result.editsUnchanged, 1);
    assert.equal(result.unpaired.length, 1);
    assert.equal(result.unpaired[0].completion[0].content, 'Same words in a different wrap.');
  });

  it('a regeneration whose kept text differs from the rejected one only by layout gives no pair', () => {
    const events = [
      rewrite('bad', 'the text', 'Same words\nhere.', 5),
      decide('d-bad', 'bad', 'rejected', 'Same words\nhere.'),
      rewrite('good', 'the text', 'Same words here.', 5),
      decide('d-good', 'good', 'accepted', 'Same words here.'),
    ];
    assert.deepEqual(buildPairs(events).pairs, []);
    // With a real difference in wording, the pair is made on the joined texts.
    events[2] = rewrite('good', 'the text', 'Other\nwords here.', 5);
    events[3] = decide('d-good', 'good', 'accepted', 'Other\nwords here.');
    const { pairs } = buildPairs(events);
    assert.equal(pairs.length, 1);
    assert.deepEqual(
      [pairs[0].chosen[0].content, pairs[0].rejected[0].content],
      ['Other words here.', 'Same words here.'],
    );
  });
});
