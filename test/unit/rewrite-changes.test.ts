// Per-change accept's core (src/core/rewrite/changes.ts): the proposal's changes, the text of a mix of
// taken and left changes, and where the proposal's offsets land in it.
import assert from 'node:assert/strict';
import { allTaken, mixOffset, mixSegments, mixText, proposalChanges } from '../../src/core/rewrite/changes';

const ORIGINAL = 'The quick brown fox jumps over the lazy dog.';
const PROPOSAL = 'The fast brown fox leaps over the sleepy dog.';

describe('per-change accept (core/rewrite/changes)', () => {
  it('finds one change per run of differing words, with the whitespace around them', () => {
    const changes = proposalChanges(ORIGINAL, PROPOSAL)!;
    assert.equal(changes.length, 3);
    assert.deepEqual(
      changes.map((c) => [
        ORIGINAL.slice(c.original.start, c.original.end),
        PROPOSAL.slice(c.proposal.start, c.proposal.end),
      ]),
      [
        [' quick ', ' fast '],
        [' jumps ', ' leaps '],
        [' lazy ', ' sleepy '],
      ],
    );
  });

  it('takes every change by default and none when all are left', () => {
    const changes = proposalChanges(ORIGINAL, PROPOSAL)!;
    assert.equal(mixText(ORIGINAL, PROPOSAL, changes, []), PROPOSAL);
    assert.ok(allTaken(changes, []));
    assert.equal(mixText(ORIGINAL, PROPOSAL, changes, [false, false, false]), ORIGINAL);
    assert.ok(!allTaken(changes, [true, false]));
  });

  it('mixes: two of three changes taken give exactly that text', () => {
    const changes = proposalChanges(ORIGINAL, PROPOSAL)!;
    assert.equal(
      mixText(ORIGINAL, PROPOSAL, changes, [true, false, true]),
      'The fast brown fox jumps over the sleepy dog.',
    );
    assert.deepEqual(
      mixSegments(ORIGINAL, PROPOSAL, changes, [true, false, true]).map((s) => [s.kind, s.text, s.change]),
      [
        ['same', 'The', undefined],
        ['taken', ' fast ', 0],
        ['same', 'brown fox', undefined],
        ['left', ' jumps ', 1],
        ['same', 'over the', undefined],
        ['taken', ' sleepy ', 2],
        ['same', 'dog.', undefined],
      ],
    );
  });

  it('leaves an insertion or a deletion without doubled or missing spaces', () => {
    const original = 'It was, in fact, a rather good day.';
    const proposal = 'It was a good and sunny day.';
    const changes = proposalChanges(original, proposal)!;
    // Deleted ", in fact,", deleted "rather", inserted "and sunny".
    assert.equal(changes.length, 3);
    assert.equal(mixText(original, proposal, changes, [false, true, true]), 'It was, in fact, a good and sunny day.');
    assert.equal(mixText(original, proposal, changes, [true, false, false]), 'It was a rather good day.');
  });

  it('changes at the very start and end of the text', () => {
    const changes = proposalChanges('So we left early', 'We left early today')!;
    assert.equal(changes.length, 2);
    assert.equal(mixText('So we left early', 'We left early today', changes, [false, true]), 'So we left early today');
    assert.equal(mixText('So we left early', 'We left early today', changes, [true, false]), 'We left early');
  });

  it('keeps the proposal layout between shared words (a re-wrapped line is not a change)', () => {
    const original = 'one two three\nfour five';
    const proposal = 'one two\nthree four six';
    const changes = proposalChanges(original, proposal)!;
    assert.equal(changes.length, 1);
    assert.equal(mixText(original, proposal, changes, [false]), 'one two\nthree four five');
  });

  it('maps proposal offsets into the mix (parts land where their text is)', () => {
    const original = 'Alpha beta.\n\nGamma delta.';
    const proposal = 'Alpha very beta.\n\nGamma epsilon.';
    const changes = proposalChanges(original, proposal)!;
    const taken = [false, true];
    const mix = mixText(original, proposal, changes, taken);
    assert.equal(mix, 'Alpha beta.\n\nGamma epsilon.');
    const second = proposal.indexOf('Gamma');
    assert.equal(mixOffset(changes, taken, second, 'start'), mix.indexOf('Gamma'));
    assert.equal(mixOffset(changes, taken, proposal.length, 'end'), mix.length);
    // Inside the left change: the range edges go to the left text's start and end.
    const inside = proposal.indexOf('very') + 1;
    assert.equal(mixOffset(changes, taken, inside, 'start'), changes[0].original.start);
    assert.equal(mixOffset(changes, taken, inside, 'end'), changes[0].original.end);
  });
});
