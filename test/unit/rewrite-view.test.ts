// What the sidebar shows of a rewrite (src/vscode/preview/rewrite-view.ts): a projection of the editor's own session
// state, so the sidebar and the preview never disagree. Driven through the session reducer as the editor
// drives it, and checked against the protocol's schema (the host posts exactly these views).
import assert from 'node:assert/strict';
import type { GenerateResult } from '../../src/core/engine/types';
import { createSession, reduceSession, type Proposal, type SessionEvent } from '../../src/core/rewrite/session';
import { isHostToWebview } from '../../src/shared/protocol';
import { rewriteViewOf, type RewriteViewMeta } from '../../src/vscode/preview/rewrite-view';

const RESULT: GenerateResult = {
  text: '',
  stopReason: 'eos',
  promptTokens: 12,
  reusedPromptTokens: 4,
  restoredPromptTokens: 8,
  outputTokens: 3,
  timeToFirstTokenMs: 5,
  tokensPerSecond: 12.5,
  totalMs: 300,
};
// The stats are the result's numbers, without its text and stop reason.
const { text: _text, stopReason: _stop, ...STATS } = RESULT;
const ORIGINAL = 'hey there';
const META: RewriteViewMeta = { rubricId: 'formality', level: 4, note: 'British spelling' };

function proposal(text: string, extra: Partial<Proposal> = {}): Proposal {
  return {
    id: 'r1',
    text,
    parts: [{ rewriteId: 'r1', range: { start: 0, end: text.length }, original: ORIGINAL }],
    markupLost: [],
    result: RESULT,
    ...extra,
  };
}

const run = (events: SessionEvent[]) => events.reduce(reduceSession, createSession(0, ORIGINAL.length, ORIGINAL));
const started: SessionEvent = { type: 'started', generation: 1, rewriteId: 'r1' };
const tokens: SessionEvent[] = [
  started,
  { type: 'token', generation: 1, text: 'Hel' },
  { type: 'token', generation: 1, text: 'lo' },
];
const finished = (...proposals: Proposal[]): SessionEvent => ({ type: 'finished', generation: 1, proposals });
const view = (events: SessionEvent[], meta = META) => {
  const v = rewriteViewOf(run(events), meta);
  if (v) assert.ok(isHostToWebview({ type: 'rewrite', rewrite: v }), `the protocol refuses ${JSON.stringify(v)}`);
  return v;
};
const base = { id: 'r1', rubricId: 'formality', level: 4, note: 'British spelling' } as const;

describe('the sidebar view of a rewrite session (rewriteViewOf)', () => {
  it('shows nothing of its own before the first generation starts (the sidebar keeps what it showed)', () => {
    assert.equal(view([]), undefined);
  });

  it('streams the text, keeping the style and the note', () => {
    assert.deepEqual(view(tokens), { ...base, phase: 'streaming', text: 'Hello' });
    assert.deepEqual(view([started], { rubricId: 'concision', level: 2 }), {
      id: 'r1',
      rubricId: 'concision',
      level: 2,
      phase: 'streaming',
      text: '',
    });
  });

  it('shows the preview with its stats, markup losses and cut-off note; none when there are none', () => {
    const done = proposal('Hello.', { markupLost: ['lost: \\cite{k}'], cutOff: 'Cut off at 5 tokens.' });
    assert.deepEqual(view([...tokens, finished(done)]), {
      ...base,
      phase: 'done',
      text: 'Hello.',
      stats: STATS,
      markupLost: ['lost: \\cite{k}'],
      cutOff: 'Cut off at 5 tokens.',
    });
    const clean = view([...tokens, finished(proposal('Hello.'))])!;
    assert.equal(clean.markupLost, undefined);
    assert.equal(clean.cutOff, undefined);
    const { restoredPromptTokens: _r, ...fresh } = RESULT;
    assert.equal(
      view([...tokens, finished(proposal('Hi.', { result: { ...fresh, restoredPromptTokens: 0 } }))])!.stats!
        .restoredPromptTokens,
      undefined,
    );
  });

  it('best-of-N: the candidate the preview shows, stepping with the preview', () => {
    const events: SessionEvent[] = [
      started,
      { type: 'progress', generation: 1, activity: { kind: 'candidate', index: 0, count: 2 } },
      { type: 'token', generation: 1, text: 'One', candidate: 0 },
      { type: 'token', generation: 1, text: 'Two', candidate: 1 },
    ];
    assert.equal(view(events)!.text, 'One', 'the sidebar streams the candidate in focus');
    assert.equal(view([...events, { type: 'candidate', by: 1 }])!.text, 'Two', 'and follows a step while streaming');
    const done: SessionEvent[] = [
      ...events,
      {
        type: 'finished',
        generation: 1,
        target: 70,
        proposals: [
          proposal('Best.', { candidate: { index: 0, written: 1, score: 68, critique: 'Close.' } }),
          proposal('Other.', { candidate: { index: 1, written: 0, score: 20, critique: 'Far.' } }),
        ],
      },
    ];
    assert.deepEqual(view(done)!.candidate, { index: 0, count: 2, score: 68, target: 70, critique: 'Close.' });
    const stepped = view([...done, { type: 'candidate', by: 1 }])!;
    assert.equal(stepped.text, 'Other.');
    assert.deepEqual(stepped.candidate, { index: 1, count: 2, score: 20, target: 70, critique: 'Far.' });
    const rejected = view([...done, { type: 'candidate', by: 1 }, { type: 'rejected' }])!;
    assert.equal(rejected.phase, 'done', 'a decided preview stays shown (the history tells the decision)');
    assert.equal(rejected.candidate?.index, 1, 'with the candidate it was decided on');
  });

  it('a decided preview keeps its proposal; accept after a cancel changes nothing', () => {
    const preview = [...tokens, finished(proposal('Hello.'))];
    const accepted = view([...preview, { type: 'accepted', text: 'Hello.', parts: [] }])!;
    assert.equal(accepted.phase, 'done');
    assert.equal(accepted.text, 'Hello.');
    const cancelled = view([...preview, { type: 'cancelled' }, { type: 'accepted', text: 'Hello.', parts: [] }])!;
    assert.equal(cancelled.phase, 'cancelled');
  });

  it('cancel, an edit inside the text and an empty answer end it as cancelled, with what was shown', () => {
    assert.deepEqual(view([...tokens, { type: 'cancelled' }]), { ...base, phase: 'cancelled', text: 'Hello' });
    const edit: SessionEvent = { type: 'document-changed', changes: [{ offset: 1, length: 1, text: 'x' }] };
    assert.deepEqual(view([...tokens, edit]), { ...base, phase: 'cancelled', text: 'Hello' });
    // An edit elsewhere only moves the target: still streaming.
    const away: SessionEvent = { type: 'document-changed', changes: [{ offset: 50, length: 0, text: 'x' }] };
    assert.equal(view([...tokens, away])!.phase, 'streaming');
    assert.equal(view([...tokens, { type: 'failed', message: 'no text', outcome: 'empty' }])!.phase, 'cancelled');
    assert.deepEqual(view([...tokens, finished(proposal('Done.')), { type: 'cancelled' }]), {
      ...base,
      phase: 'cancelled',
      text: 'Done.',
    });
  });

  it('a failure keeps the text; one before any generation needs the id it is given', () => {
    assert.deepEqual(view([...tokens, { type: 'failed', message: 'boom' }]), {
      ...base,
      phase: 'error',
      text: 'Hello',
      error: 'boom',
    });
    const early: SessionEvent = { type: 'failed', message: 'The model is not loaded.' };
    assert.equal(view([early]), undefined, 'no id, nothing to show');
    assert.deepEqual(view([early], { ...META, failedId: 'f1' }), {
      ...base,
      id: 'f1',
      phase: 'error',
      text: '',
      error: 'The model is not loaded.',
    });
  });

  it('a regenerate keeps the old view until the new generation starts, then shows only the new one', () => {
    const preview = [...tokens, finished(proposal('Hello.'))];
    assert.equal(view([...preview, { type: 'regenerating' }]), undefined);
    const again = view([
      ...preview,
      { type: 'regenerating' },
      { type: 'started', generation: 2, rewriteId: 'r2' },
      { type: 'token', generation: 1, text: 'stale' },
      { type: 'token', generation: 2, text: 'New' },
    ]);
    assert.deepEqual(again, { ...base, id: 'r2', phase: 'streaming', text: 'New' });
  });
});
