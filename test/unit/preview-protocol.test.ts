// What the sidebar learns about a preview beyond its text: the note it was made with, the markup it lost
// and a cut-off travel in the stream events, pass the protocol's guards (and nothing malformed does),
// and end up in the rewrite view the webview renders.
import * as assert from 'node:assert/strict';
import { isHostToWebview, isWebviewToHost, type RewriteStats } from '../../src/shared/protocol';
import { reduceRewriteView } from '../../src/shared/rewrite-view';

const stats: RewriteStats = {
  promptTokens: 10,
  reusedPromptTokens: 0,
  outputTokens: 5,
  timeToFirstTokenMs: 1,
  tokensPerSecond: 1,
  totalMs: 5,
};
const style = { rubricId: 'formality', level: 3 as const };

describe('protocol: note, markup warning and cut-off', () => {
  it("carries the note from the sidebar's field to the host, and nothing but a string", () => {
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 'keep it short' }), true);
    assert.equal(isWebviewToHost({ type: 'rewrite' }), true);
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 5 }), false);
    assert.equal(isWebviewToHost({ type: 'rewrite', note: 'x', extra: true }), false);
  });

  it('validates started with a note and done with the markup lost and a cut-off', () => {
    assert.equal(
      isHostToWebview({
        type: 'rewrite',
        event: { type: 'started', id: 'a', rubricId: 'formality', level: 3, original: 'x', note: 'n' },
      }),
      true,
    );
    assert.equal(
      isHostToWebview({
        type: 'rewrite',
        event: { type: 'done', id: 'a', text: 't', stats, markupLost: ['lost: \\cite{k}'], cutOff: 'Cut off.' },
      }),
      true,
    );
    assert.equal(
      isHostToWebview({ type: 'rewrite', event: { type: 'done', id: 'a', text: 't', stats, markupLost: 'lost' } }),
      false,
    );
    assert.equal(
      isHostToWebview({ type: 'rewrite', event: { type: 'done', id: 'a', text: 't', stats, markupLost: [1] } }),
      false,
    );
  });

  it('keeps the note through the stream and adds the warnings when the proposal is done', () => {
    let view = reduceRewriteView(
      undefined,
      { type: 'started', id: 'a', rubricId: 'formality', level: 3, original: 'x', note: 'British spelling' },
      style,
    );
    view = reduceRewriteView(view, { type: 'token', id: 'a', text: 'Col' }, style);
    view = reduceRewriteView(view, { type: 'token', id: 'a', text: 'our' }, style);
    assert.equal(view?.note, 'British spelling');
    assert.equal(view?.markupLost, undefined);
    view = reduceRewriteView(
      view,
      { type: 'done', id: 'a', text: 'Colour', stats, markupLost: ['lost: \\cite{k}'], cutOff: 'Cut off at 5 tokens.' },
      style,
    );
    assert.deepEqual(view, {
      id: 'a',
      rubricId: 'formality',
      level: 3,
      phase: 'done',
      text: 'Colour',
      stats,
      note: 'British spelling',
      markupLost: ['lost: \\cite{k}'],
      cutOff: 'Cut off at 5 tokens.',
    });
    // A done event without warnings adds none, and a new rewrite starts clean.
    const clean = reduceRewriteView(
      reduceRewriteView(undefined, { type: 'started', id: 'b', rubricId: 'formality', level: 3, original: 'x' }, style),
      { type: 'done', id: 'b', text: 'ok', stats, markupLost: [] },
      style,
    );
    assert.equal(clean?.markupLost, undefined);
    assert.equal(clean?.note, undefined);
  });
});
