import assert from 'node:assert/strict';
import { shiftRange, shiftRangeAll } from '../../src/core/feedback/range-tracking';
import { normalizeNewlines } from '../../src/core/text';
import type { OffsetRange, TextChange } from '../../src/core/feedback/range-tracking';
import { mulberry32 as prng } from '../../src/core/testmodel';

function apply(doc: string, c: TextChange): string {
  return doc.slice(0, c.offset) + c.text + doc.slice(c.offset + c.length);
}

describe('shiftRange: following accepted text through edits', () => {
  // "Hello [brave new] world": the accepted text is "brave new" at [6, 15).
  const doc = 'Hello brave new world';
  const range: OffsetRange = { start: 6, end: 15 };

  it('shifts the range by edits before it, without counting them as edits of the text', () => {
    const c = { offset: 0, length: 5, text: 'Goodbye' };
    const r = shiftRange(range, c);
    assert.deepEqual(r, { start: 8, end: 17, touched: false });
    assert.equal(apply(doc, c).slice(r!.start, r!.end), 'brave new');
  });

  it('ignores edits after it', () => {
    assert.deepEqual(shiftRange(range, { offset: 16, length: 5, text: 'planet!' }), {
      start: 6,
      end: 15,
      touched: false,
    });
  });

  it('keeps insertions exactly at either boundary outside the range', () => {
    assert.deepEqual(shiftRange(range, { offset: 6, length: 0, text: 'very ' }), {
      start: 11,
      end: 20,
      touched: false,
    });
    assert.deepEqual(shiftRange(range, { offset: 15, length: 0, text: ' and' }), { start: 6, end: 15, touched: false });
  });

  it('grows or shrinks with edits inside it and marks them as touching', () => {
    const c = { offset: 12, length: 3, text: 'old' }; // new → old
    const r = shiftRange(range, c);
    assert.deepEqual(r, { start: 6, end: 15, touched: true });
    assert.equal(apply(doc, c).slice(r!.start, r!.end), 'brave old');
    const longer = { offset: 11, length: 0, text: ', bold' };
    const r2 = shiftRange(range, longer)!;
    assert.equal(apply(doc, longer).slice(r2.start, r2.end), 'brave, bold new');
  });

  it('takes in the replacing text when an edit overlaps one boundary', () => {
    const left = { offset: 3, length: 6, text: 'p, gr' }; // "lo bra" → "p, gr"
    const r = shiftRange(range, left)!;
    assert.equal(r.touched, true);
    assert.equal(apply(doc, left).slice(r.start, r.end), 'p, grve new');
    const right = { offset: 12, length: 6, text: 'NEW WO' }; // "new wo" → "NEW WO"
    const r2 = shiftRange(range, right)!;
    assert.equal(apply(doc, right).slice(r2.start, r2.end), 'brave NEW WO');
  });

  it('tracks a replacement of exactly the range (retyping it, or undo restoring the original)', () => {
    const c = { offset: 6, length: 9, text: 'cruel' };
    const r = shiftRange(range, c)!;
    assert.deepEqual(r, { start: 6, end: 11, touched: true });
    assert.equal(apply(doc, c).slice(r.start, r.end), 'cruel');
  });

  it('stops tracking when the range is deleted entirely or swallowed by a larger replacement', () => {
    assert.equal(shiftRange(range, { offset: 6, length: 9, text: '' }), undefined);
    assert.equal(shiftRange(range, { offset: 5, length: 11, text: '' }), undefined);
    assert.equal(shiftRange(range, { offset: 0, length: doc.length, text: 'pasted over everything' }), undefined);
    assert.equal(shiftRange({ start: 6, end: 8 }, { offset: 6, length: 1, text: '' })?.end, 7);
    assert.equal(shiftRange({ start: 6, end: 7 }, { offset: 6, length: 1, text: '' }), undefined);
  });

  it('applies a batch in the given order and reports whether any change touched the range', () => {
    // Editors list multi-cursor changes last-first so each offset is still valid when applied in order.
    const changes: TextChange[] = [
      { offset: 16, length: 0, text: '!' },
      { offset: 12, length: 0, text: 'NEW ' },
      { offset: 0, length: 0, text: '>> ' },
    ];
    const r = shiftRangeAll(range, changes)!;
    const after = changes.reduce(apply, doc);
    assert.equal(after.slice(r.start, r.end), 'brave NEW new');
    assert.equal(r.touched, true);
    assert.equal(shiftRangeAll(range, [{ offset: 0, length: 0, text: 'x' }])?.touched, false);
    assert.equal(
      shiftRangeAll(range, [
        { offset: 0, length: 0, text: 'x' },
        { offset: 7, length: 9, text: '' },
      ]),
      undefined,
    );
  });

  it('agrees with applying the edits to the text, over many random edits', () => {
    const rand = prng(7);
    const letters = 'abcdefghij \n';
    const word = (n: number) => Array.from({ length: n }, () => letters[Math.floor(rand() * letters.length)]).join('');
    for (let trial = 0; trial < 300; trial++) {
      let text = word(40);
      let r: OffsetRange | undefined = { start: 10, end: 25 };
      let inside = text.slice(r.start, r.end);
      for (let step = 0; step < 20 && r; step++) {
        const offset = Math.floor(rand() * (text.length + 1));
        const length = Math.floor(rand() * Math.min(6, text.length - offset + 1));
        const c = { offset, length, text: word(Math.floor(rand() * 4)) };
        const next = shiftRange(r, c);
        const after = apply(text, c);
        const from = c.offset,
          to = c.offset + c.length;
        if (to <= r.start || from >= r.end) {
          assert.ok(next && !next.touched);
          assert.equal(after.slice(next.start, next.end), inside, 'an edit outside moved the range off its text');
        } else if (from >= r.start && to <= r.end && !(from === r.start && to === r.end && c.text === '')) {
          assert.ok(next && next.touched);
          assert.equal(
            after.slice(next.start, next.end),
            inside.slice(0, from - r.start) + c.text + inside.slice(to - r.start),
          );
        } else if (next) {
          assert.ok(next.touched && next.end > next.start && next.end <= after.length);
          assert.ok(after.slice(next.start, next.end).includes(c.text), 'the replacing text should join the range');
        }
        text = after;
        r = next;
        if (r) inside = text.slice(r.start, r.end);
      }
    }
  });
});

describe('normalizeNewlines', () => {
  it('turns CRLF and lone CR into LF so a CRLF document does not look edited', () => {
    assert.equal(normalizeNewlines('a\r\nb\rc\nd'), 'a\nb\nc\nd');
  });
});
