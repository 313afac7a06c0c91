// The editor's rewrite session as a pure reducer (src/core/rewrite/session.ts): every transition, with
// a document edit mid-stream, stale events of an older generation, and an accept after a cancel.
import assert from 'node:assert/strict';
import type { GenerateResult } from '../../src/core/engine/types';
import {
  createSession,
  reduceSession,
  shownCandidate,
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
});
