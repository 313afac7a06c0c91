// The editor's rewrite session as a pure reducer (src/core/rewrite/session.ts): every transition, with
// a document edit mid-stream, stale events of an older generation, and an accept after a cancel.
import assert from 'node:assert/strict';
import type { GenerateResult } from '../../src/core/engine/types';
import { proposalChanges } from '../../src/core/rewrite/changes';
import {
  createSession,
  reduceSession,
  shownCandidate,
  shownMix,
  shownProposal,
  type Proposal,
  type SessionEvent,
  type SessionState,
} from '../../src/core/rewrite/session';

const RESULT: GenerateResult = {
  text: '',
  stopReason: 'eos',
  promptTokens: 1,
  reusedPromptTokens: 0,
  outputTokens: 1,
  timeToFirstTokenMs: 1,
  tokensPerSecond: 1,
  totalMs: 1,
};
const ORIGINAL = 'hey there';

function proposal(text: string, candidate?: Proposal['candidate']): Proposal {
  return {
    id: 'r1',
    text,
    parts: [{ rewriteId: 'r1', range: { start: 0, end: text.length }, original: ORIGINAL }],
    markupLost: [],
    result: RESULT,
    ...(candidate ? { candidate } : {}),
  };
}

const run = (events: SessionEvent[], s: SessionState = createSession(10, 19, ORIGINAL)) =>
  events.reduce(reduceSession, s);
const streaming = () => run([{ type: 'started', generation: 1, rewriteId: 'r1' }]);
const previewing = (proposals = [proposal('Hello there.')], target?: number) =>
  run([{ type: 'finished', generation: 1, proposals, ...(target !== undefined ? { target } : {}) }], streaming());

describe('rewrite session (reduceSession)', () => {
  it('starts preparing, then streams tokens of its own generation only', () => {
    const s0 = createSession(10, 19, ORIGINAL);
    assert.equal(s0.phase, 'preparing');
    const s = run(
      [
        { type: 'token', generation: 1, text: 'early' },
        { type: 'started', generation: 1, rewriteId: 'r1' },
        { type: 'token', generation: 1, text: 'Hel' },
        { type: 'token', generation: 0, text: 'stale' },
        { type: 'token', generation: 1, text: 'lo' },
      ],
      s0,
    );
    assert.equal(s.phase, 'streaming');
    assert.equal(s.rewriteId, 'r1');
    assert.equal(s.streamed, 'Hello');
    assert.equal(reduceSession(s, { type: 'started', generation: 1, rewriteId: 'again' }), s, 'a repeated start');
  });

  it('progress, a restart per candidate, and finished shows the first proposal', () => {
    let s = run([
      { type: 'started', generation: 1, rewriteId: 'r1' },
      { type: 'progress', generation: 1, activity: { kind: 'candidate', index: 0, count: 2 } },
      { type: 'token', generation: 1, text: 'one' },
      { type: 'restart', generation: 1 },
      { type: 'token', generation: 1, text: 'two' },
      { type: 'progress', generation: 1, progress: { index: 1, count: 3 } },
    ]);
    assert.equal(s.streamed, 'two');
    assert.deepEqual(s.progress, { index: 1, count: 3 });
    assert.equal(s.activity, undefined);
    assert.equal(reduceSession(s, { type: 'finished', generation: 1, proposals: [] }), s, 'no proposal: no preview');
    s = reduceSession(s, { type: 'finished', generation: 1, proposals: [proposal('A.'), proposal('B.')], target: 30 });
    assert.equal(s.phase, 'preview');
    assert.equal(s.progress, undefined);
    assert.equal(shownProposal(s)?.text, 'A.');
  });

  it('steps through best-of candidates, wrapping around, but not while asking to confirm', () => {
    const s = previewing(
      [
        proposal('A.', { index: 0, score: 31, critique: 'a' }),
        proposal('B.', { index: 1, score: 50, critique: 'b' }),
        proposal('C.', { index: 2, score: 90, critique: 'c' }),
      ],
      30,
    );
    assert.deepEqual(shownCandidate(s), { index: 0, count: 3, score: 31, target: 30, critique: 'a' });
    assert.equal(shownProposal(reduceSession(s, { type: 'candidate', by: -1 }))?.text, 'C.');
    assert.equal(
      shownProposal(
        run(
          [
            { type: 'candidate', by: 1 },
            { type: 'candidate', by: 1 },
          ],
          s,
        ),
      )?.text,
      'C.',
    );
    const asking = reduceSession(s, { type: 'confirming', value: true });
    assert.equal(asking.confirming, true);
    assert.equal(reduceSession(asking, { type: 'candidate', by: 1 }), asking);
    const single = previewing();
    assert.equal(reduceSession(single, { type: 'candidate', by: 1 }), single, 'one proposal: nothing to step to');
    assert.equal(shownCandidate(single), undefined);
  });

  it('best-of candidates stream together: each keeps its own text, the shown one is the candidate in focus', () => {
    const writing = (index: number): SessionEvent => ({
      type: 'progress',
      generation: 1,
      activity: { kind: 'candidate', index, count: 3 },
    });
    const piece = (candidate: number, text: string): SessionEvent => ({
      type: 'token',
      generation: 1,
      text,
      candidate,
    });
    let s = run([writing(0), piece(1, 'B1 '), piece(0, 'A1 '), piece(2, 'C1 '), piece(0, 'A2')], streaming());
    assert.deepEqual(s.streams, ['A1 A2', 'B1 ', 'C1 ']);
    assert.equal(s.streamed, 'A1 A2', 'candidate 0 is in focus');
    assert.equal(run([piece(1, 'late'), piece(0, 'x')], s).streams[1], 'B1 late');
    // Stepping while they stream: the zone shows the next one, and follows its growth; others keep growing.
    s = reduceSession(s, { type: 'candidate', by: 1 });
    assert.equal(s.focus, 1);
    assert.equal(s.streamed, 'B1 ');
    assert.deepEqual(s.activity, { kind: 'candidate', index: 1, count: 3 }, 'the activity names the one shown');
    s = run([piece(1, 'B2'), piece(2, 'C2')], s);
    assert.equal(s.streamed, 'B1 B2');
    assert.equal(s.streams[2], 'C1 C2');
    s = run(
      [
        { type: 'candidate', by: -1 },
        { type: 'candidate', by: -1 },
      ],
      s,
    );
    assert.equal(s.focus, 2, 'previous wraps around');
    assert.equal(s.streamed, 'C1 C2');
    // Stepped: a later candidate starting no longer moves the focus; judging keeps the streams steppable.
    s = run([writing(1), { type: 'progress', generation: 1, activity: { kind: 'judging', count: 3 } }], s);
    assert.equal(s.focus, 2);
    assert.equal(reduceSession(s, { type: 'candidate', by: 1 }).streamed, 'A1 A2');
    // Stale pieces of another generation and pieces with no candidate index of a sane shape change nothing.
    assert.equal(reduceSession(s, { type: 'token', generation: 0, text: 'old', candidate: 2 }), s);
    assert.equal(reduceSession(s, { type: 'token', generation: 1, text: 'odd', candidate: -1 }), s);
    // Finished: the candidate the writer was reading stays shown (found by its writing order).
    const done = reduceSession(s, {
      type: 'finished',
      generation: 1,
      proposals: [
        proposal('B.', { index: 0, written: 1, score: 70, critique: 'b' }),
        proposal('C.', { index: 1, written: 2, score: 90, critique: 'c' }),
        proposal('A.', { index: 2, written: 0, score: 20, critique: 'a' }),
      ],
      target: 70,
    });
    assert.equal(shownProposal(done)?.text, 'C.');
    assert.deepEqual(done.streams, []);
    // Not stepped: the best candidate first, as before.
    const unstepped = reduceSession(run([writing(0), piece(0, 'A')], streaming()), {
      type: 'finished',
      generation: 1,
      proposals: [proposal('B.', { index: 0, written: 1, score: 70, critique: 'b' })],
    });
    assert.equal(shownProposal(unstepped)?.text, 'B.');
  });

  it('candidates written one after another: the zone follows the one being written until the writer steps', () => {
    const writing = (index: number): SessionEvent => ({
      type: 'progress',
      generation: 1,
      activity: { kind: 'candidate', index, count: 2 },
    });
    let s = run([writing(0), { type: 'token', generation: 1, text: 'First.', candidate: 0 }], streaming());
    assert.equal(s.streamed, 'First.');
    s = run([writing(1), { type: 'token', generation: 1, text: 'Sec', candidate: 1 }], s);
    assert.equal(s.focus, 1);
    assert.equal(s.streamed, 'Sec');
    s = reduceSession(s, { type: 'candidate', by: 1 });
    assert.equal(s.streamed, 'First.', 'stepping back to the finished first candidate');
    // A single rewrite streaming has nothing to step to.
    const single = run([{ type: 'token', generation: 1, text: 'Solo' }], streaming());
    assert.equal(reduceSession(single, { type: 'candidate', by: 1 }), single);
    // Cancel mid-stream ends the session; no later piece of any candidate changes it.
    const cancelled = reduceSession(s, { type: 'cancelled' });
    assert.equal(cancelled.ended?.outcome, 'cancelled');
    assert.equal(reduceSession(cancelled, { type: 'token', generation: 1, text: 'more', candidate: 0 }), cancelled);
  });

  it('accepted ends with the range the proposal was written to and where each part landed', () => {
    const parts = [{ rewriteId: 'r1', start: 0, end: 12, original: ORIGINAL }];
    const s = reduceSession(previewing(), { type: 'accepted', text: 'Hello there.', parts });
    assert.deepEqual(s.ended, {
      outcome: 'accepted',
      proposal: 'Hello there.',
      rewriteId: 'r1',
      parts,
      range: { start: 10, end: 22 },
    });
    assert.equal(shownProposal(s), undefined);
    assert.equal(reduceSession(streaming(), { type: 'accepted', text: 'x', parts }).ended, undefined, 'no preview');
  });

  it('rejected ends with the proposal; during streaming it is a cancel', () => {
    assert.deepEqual(reduceSession(previewing(), { type: 'rejected' }).ended, {
      outcome: 'rejected',
      proposal: 'Hello there.',
      rewriteId: 'r1',
    });
    assert.deepEqual(reduceSession(streaming(), { type: 'rejected' }).ended, { outcome: 'cancelled' });
  });

  it('failed and cancelled end it; nothing after the end changes it (accept after cancel does nothing)', () => {
    assert.deepEqual(reduceSession(streaming(), { type: 'failed', message: 'boom' }).ended, {
      outcome: 'error',
      message: 'boom',
    });
    assert.deepEqual(reduceSession(streaming(), { type: 'failed', message: 'nothing', outcome: 'empty' }).ended, {
      outcome: 'empty',
      message: 'nothing',
    });
    const cancelled = reduceSession(previewing(), { type: 'cancelled' });
    assert.deepEqual(cancelled.ended, { outcome: 'cancelled' });
    for (const e of [
      { type: 'accepted', text: 'Hello there.', parts: [] },
      { type: 'rejected' },
      { type: 'token', generation: cancelled.generation, text: 'x' },
      { type: 'document-changed', changes: [{ offset: 12, length: 1, text: 'X' }] },
      { type: 'failed', message: 'late' },
    ] satisfies SessionEvent[]) {
      assert.equal(reduceSession(cancelled, e), cancelled, e.type);
    }
    // A cancel mid-stream: the late token of that generation is ignored too.
    const mid = reduceSession(streaming(), { type: 'cancelled' });
    assert.equal(reduceSession(mid, { type: 'token', generation: 1, text: 'late' }), mid);
  });

  it('an edit elsewhere mid-stream moves the target; one inside it ends the session as a conflict', () => {
    let s = run(
      [
        { type: 'token', generation: 1, text: 'Hel' },
        { type: 'document-changed', changes: [{ offset: 0, length: 0, text: 'abc' }] },
        { type: 'document-changed', changes: [{ offset: 40, length: 2, text: '' }] },
      ],
      streaming(),
    );
    assert.deepEqual([s.start, s.end, s.ended], [13, 22, undefined]);
    s = reduceSession(s, { type: 'document-changed', changes: [{ offset: 15, length: 1, text: 'X' }] });
    assert.deepEqual(s.ended, { outcome: 'conflict', proposal: 'Hel', rewriteId: 'r1' });
    // In preview, an edit that swallows the target is a conflict too, offering the proposal.
    const p = reduceSession(previewing(), { type: 'document-changed', changes: [{ offset: 0, length: 30, text: '' }] });
    assert.deepEqual(p.ended, { outcome: 'conflict', proposal: 'Hello there.', rewriteId: 'r1' });
    assert.deepEqual(reduceSession(previewing(), { type: 'conflict' }).ended, p.ended, 'found at Accept');
    const none = previewing();
    assert.equal(reduceSession(none, { type: 'document-changed', changes: [] }), none);
  });

  it('regenerating goes back to preparing, and the next generation streams afresh', () => {
    const s = run(
      [
        { type: 'regenerating' },
        { type: 'token', generation: 1, text: 'stale' },
        { type: 'started', generation: 2, rewriteId: 'r2' },
        { type: 'token', generation: 2, text: 'New' },
      ],
      previewing(),
    );
    assert.deepEqual([s.phase, s.rewriteId, s.streamed, s.proposals.length], ['streaming', 'r2', 'New', 0]);
    assert.equal(reduceSession(streaming(), { type: 'regenerating' }).phase, 'streaming', 'only from a preview');
  });

  describe('per-change accept', () => {
    const original = 'The quick brown fox jumps over the lazy dog.';
    const text = 'The fast brown fox leaps over the sleepy dog.';
    const withChanges = (t: string, candidate?: Proposal['candidate']): Proposal => ({
      ...proposal(t, candidate),
      changes: proposalChanges(original, t),
    });
    const mixing = (proposals = [withChanges(text)]) =>
      run(
        [
          { type: 'started', generation: 1, rewriteId: 'r1' },
          { type: 'finished', generation: 1, proposals },
        ],
        createSession(0, original.length, original),
      );

    it('shows a proposal with every change taken and none in focus; Accept writes it whole', () => {
      const s = mixing();
      assert.deepEqual([s.taken, s.changeFocus], [[true, true, true], -1]);
      assert.deepEqual(shownMix(s), { text, whole: true });
    });

    it('steps between changes (wrapping; the first key picks the first or last) and toggles the one in focus', () => {
      assert.equal(run([{ type: 'change-step', by: -1 }], mixing()).changeFocus, 2);
      const s = run(
        [{ type: 'change-step', by: 1 }, { type: 'change-step', by: 1 }, { type: 'change-toggle' }],
        mixing(),
      );
      assert.deepEqual([s.changeFocus, s.taken], [1, [true, false, true]]);
      assert.deepEqual(shownMix(s), { text: 'The fast brown fox jumps over the sleepy dog.', whole: false });
      const back = run([{ type: 'change-step', by: 1 }, { type: 'change-step', by: 1 }, { type: 'change-toggle' }], s);
      assert.deepEqual([back.changeFocus, back.taken], [0, [false, false, true]], 'wrapped to the first');
      assert.deepEqual(run([{ type: 'change-toggle', change: 2 }], mixing()).taken, [true, true, false]);
      assert.equal(reduceSession(s, { type: 'change-toggle', change: 3 }), s, 'no such change');
    });

    it('takes all or leaves all; leaving all writes the original', () => {
      const left = run([{ type: 'change-all', take: false }], mixing());
      assert.deepEqual(shownMix(left), { text: original, whole: false });
      const again = run([{ type: 'change-all', take: true }], left);
      assert.deepEqual(shownMix(again), { text, whole: true });
      assert.equal(reduceSession(again, { type: 'change-all', take: true }), again, 'nothing to change');
    });

    it('does nothing while Accept asks, with no changes, or before a preview; a new candidate starts all taken', () => {
      const asking = run([{ type: 'confirming', value: true }], mixing());
      assert.equal(reduceSession(asking, { type: 'change-toggle' }), asking);
      const plain = previewing();
      assert.equal(reduceSession(plain, { type: 'change-step', by: 1 }), plain);
      const s = streaming();
      assert.equal(reduceSession(s, { type: 'change-all', take: false }), s);
      const verdict = (index: number) => ({ index, score: 50, critique: '' });
      const two = run(
        [
          { type: 'change-toggle', change: 0 },
          { type: 'candidate', by: 1 },
        ],
        mixing([
          withChanges(text, verdict(0)),
          withChanges('The quick brown cat jumps over the lazy dog.', verdict(1)),
        ]),
      );
      assert.deepEqual([two.index, two.taken, two.changeFocus], [1, [true], -1]);
    });
  });
});
