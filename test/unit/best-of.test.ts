// Best-of-N (core/rewrite/best-of): N candidates with different seeds, each judged, nearest the level's
// target first; one signal stops them all; the log keeps every candidate and Build Preference Pairs turns
// the one accepted into `candidates` pairs. On the real engine with a generated random-weight model (whose
// texts and scores are random: the tests check the machinery, not quality), plus scripted generators
// where an exact order must be known.
import assert from 'node:assert/strict';
import { EngineClient } from '../../src/core/engine';
import type { BatchOptions, GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import { createDecisionEvent, createRewriteEvent, validateFeedbackEvent } from '../../src/core/feedback';
import { buildPairs } from '../../src/core/pairs';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import { rankCandidates, runBestOf, type BestOfJob } from '../../src/core/rewrite';
import { testEngineOptions, testModel } from './helpers/test-models';

const TEXT = 'hey, can u send me the slides from yesterday? need them for the 3pm call. thx';

function result(text: string, stopReason: GenerateResult['stopReason'] = 'eos'): GenerateResult {
  return {
    text,
    stopReason,
    promptTokens: 10,
    reusedPromptTokens: 0,
    outputTokens: 5,
    timeToFirstTokenMs: 1,
    tokensPerSecond: 1,
    totalMs: 2,
  };
}

/** Records every request of the generator it wraps (and how many went out together, as one batch). */
class Recording implements TextGenerator {
  readonly requests: GenerateRequest[] = [];
  readonly batches: number[] = [];
  constructor(private readonly inner: EngineClient) {}
  generate(req: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(req);
    this.batches.push(1);
    return this.inner.generate(req);
  }
  generateBatch(reqs: readonly GenerateRequest[], opts?: BatchOptions): Promise<GenerateResult[]> {
    this.requests.push(...reqs);
    this.batches.push(reqs.length);
    return this.inner.generateBatch(reqs, opts);
  }
}

/** A rewriter that writes "candidate <seed>" and a judge that scores by a table keyed on that text. */
function scripted(scores: Record<string, number>): { writer: TextGenerator; judge: TextGenerator } {
  return {
    writer: {
      generate: async (req) => {
        const t = `candidate ${req.seed}`;
        req.onToken?.(t);
        return result(t);
      },
    },
    judge: {
      generate: async (req) => {
        assert.ok(req.jsonSchema, 'the judge is asked for the schema');
        const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.user)![1];
        return result(JSON.stringify({ critique: `about ${text}`, score: scores[text] }));
      },
    },
  };
}

describe('best-of-N (runBestOf)', function () {
  this.timeout(180_000);
  let formality: Rubric;
  before(async () => {
    formality = (await loadRubrics({})).rubrics.find((r) => r.id === 'formality')!;
  });
  const job = (over: Partial<BestOfJob> & Pick<BestOfJob, 'n' | 'judge'>): BestOfJob => ({
    text: TEXT,
    style: { rubric: formality, level: 4 },
    promptMode: 'directive',
    model: { name: 'test', file: '/m/test.gguf' },
    sampling: { temperature: 0.8, maxTokens: 24, seed: 100 },
    ...over,
  });

  it(
    'orders by distance to the target (markup kept first, ties in writing order) and logs every ' + 'candidate',
    async () => {
      // Level 4 → target 70. Seeds 100..104: scores 40, 71, 69, 95, 70.
      const s = scripted({
        'candidate 100': 40,
        'candidate 101': 71,
        'candidate 102': 69,
        'candidate 103': 95,
        'candidate 104': 70,
      });
      const events: string[] = [];
      const out = await runBestOf(
        s.writer,
        job({ n: 5, judge: { generator: s.judge }, onCandidate: (e) => events.push(`${e.phase}${e.index}`) }),
      );
      assert.equal(out.status, 'done');
      if (out.status !== 'done') return;
      assert.equal(out.target, 70);
      assert.deepEqual(
        out.candidates.map((c) => [c.seed, c.score, c.distance]),
        [
          [104, 70, 0],
          [101, 71, 1],
          [102, 69, 1],
          [100, 40, 30],
          [103, 95, 25],
        ].sort((a, b) => a[2] - b[2] || a[0] - b[0]),
      );
      assert.equal(out.record.output, 'candidate 104');
      assert.equal(out.record.sampling.seed, 104);
      assert.deepEqual(
        out.record.candidates!.map((c) => [c.output, c.score, c.seed]),
        out.candidates.map((c) => [c.text, c.score, c.seed]),
      );
      assert.equal(out.record.candidates![0].critique, 'about candidate 104');
      // A generator that does not batch writes them one after another, as ever.
      assert.deepEqual(events, [
        'writing0',
        'written0',
        'writing1',
        'written1',
        'writing2',
        'written2',
        'writing3',
        'written3',
        'writing4',
        'written4',
        'judged0',
        'judged1',
        'judged2',
        'judged3',
        'judged4',
      ]);
      assert.equal(out.result.outputTokens, 25, 'the result sums all five rewrites');
      // The record is a valid feedback event with its candidates.
      assert.equal(validateFeedbackEvent(createRewriteEvent(out.record)).ok, true);

      const ranked = rankCandidates([
        { index: 0, distance: 0, markupLost: ['lost: $x$'] },
        { index: 1, distance: 5, markupLost: [] },
        { index: 2, distance: 5, markupLost: [] },
      ]);
      assert.deepEqual(
        ranked.map((c) => c.index),
        [1, 2, 0],
      );
    },
  );

  it('refuses a count outside 1..8 before writing anything', async () => {
    const never: TextGenerator = { generate: () => assert.fail('nothing should be sent') };
    for (const n of [0, 9, 2.5])
      await assert.rejects(runBestOf(never, job({ n, judge: { generator: never } })), /1 to 8 candidates/);
  });

  describe('on the real engine with a generated model', () => {
    let engine: EngineClient;
    before(async () => {
      engine = new EngineClient(testEngineOptions({ contextSize: 4096 }));
      await engine.load(await testModel());
    });
    after(async () => engine.dispose());

    it(
      'writes N candidates with consecutive seeds, the judge through the grammar scores each 0–100, ' +
        'nearest the target first',
      async () => {
        const rec = new Recording(engine);
        const out = await runBestOf(rec, job({ n: 3, judge: { generator: rec, options: { maxCritiqueChars: 30 } } }));
        assert.equal(out.status, 'done');
        if (out.status !== 'done') return;
        const rewrites = rec.requests.filter((r) => !r.jsonSchema);
        const judgements = rec.requests.filter((r) => r.jsonSchema);
        assert.deepEqual(
          rewrites.map((r) => r.seed),
          [100, 101, 102],
        );
        assert.equal(judgements.length, out.candidates.length);
        for (const c of out.candidates) {
          assert.ok(Number.isInteger(c.score) && c.score >= 0 && c.score <= 100, JSON.stringify(c));
          assert.equal(c.distance, Math.abs(c.score - 70));
          assert.ok(c.critique.length <= 30);
        }
        const d = out.candidates.map((c) => c.distance);
        const kept = out.candidates.map((c) => c.markupLost.length === 0);
        for (let i = 1; i < d.length; i++)
          if (kept[i] === kept[i - 1]) assert.ok(d[i - 1] <= d[i], `ordered by distance: ${d.join(' ')}`);
        assert.equal(out.record.output, out.candidates[0].text);
        assert.equal(out.record.candidates!.length, out.candidates.length);
      },
    );

    it('one signal stops every candidate: nothing more is written or judged after it fires', async () => {
      const rec = new Recording(engine);
      const ac = new AbortController();
      let pieces = 0;
      const out = await runBestOf(
        rec,
        job({
          n: 4,
          signal: ac.signal,
          sampling: { temperature: 0.8, maxTokens: 400, seed: 7 },
          judge: { generator: rec },
          streamAll: true,
          onToken: (_t, index) => {
            if (index === 1 && ++pieces === 3) ac.abort();
          },
        }),
      );
      assert.equal(out.status, 'cancelled');
      // All four are written at once (one batch), so the signal stops all four mid-stream; none is judged.
      assert.deepEqual(rec.batches, [4]);
      assert.ok(rec.requests.every((r) => !r.jsonSchema));
      if (out.status === 'cancelled') {
        assert.equal(out.written.length, 0);
        assert.equal(out.last.status, 'cancelled');
        assert.ok(out.result.outputTokens < 4 * 400, 'no candidate ran to its token limit');
      }
    });

    it('written together, the candidates stream in turn unless every stream is asked for', async () => {
      for (const streamAll of [false, true]) {
        const seen: string[] = [];
        const rec = new Recording(engine);
        const out = await runBestOf(
          rec,
          job({
            n: 3,
            streamAll,
            sampling: { temperature: 0.8, maxTokens: 24, seed: 3 },
            judge: { generator: rec, options: { maxCritiqueChars: 0 } },
            onToken: (_t, index) => seen.push(`t${index}`),
            onCandidate: (e) => seen.push(`${e.phase}${e.index}`),
          }),
        );
        assert.equal(out.status, 'done');
        assert.deepEqual(rec.batches, [3, 3], 'three rewrites in one batch, then three judgements in one');
        const pieces = seen.filter((x) => x.startsWith('t')).map((x) => Number(x.slice(1)));
        for (const i of [0, 1, 2]) assert.ok(pieces.includes(i), `candidate ${i} streamed`);
        if (!streamAll) {
          // One stream at a time, as a one-stream view expects: no piece of a candidate before its
          // 'writing' event or after its 'written' one, and the candidates in order.
          for (let i = 1; i < pieces.length; i++) assert.ok(pieces[i - 1]! <= pieces[i]!, seen.join(' '));
          for (const i of [0, 1, 2]) {
            const first = seen.indexOf(`t${i}`);
            assert.ok(seen.indexOf(`writing${i}`) < first && first < seen.indexOf(`written${i}`), seen.join(' '));
          }
        }
      }
    });

    it('a signal during judging stops the judge too', async () => {
      const rec = new Recording(engine);
      const ac = new AbortController();
      const out = await runBestOf(
        rec,
        job({
          n: 2,
          signal: ac.signal,
          judge: { generator: rec, options: { maxCritiqueChars: 200, temperature: 1 } },
          onCandidate: (e) => {
            if (e.phase === 'written' && e.index === 1) ac.abort();
          },
        }),
      );
      assert.equal(out.status, 'cancelled');
      // The two judgements go out together after the signal fired, and come back stopped, unscored.
      assert.deepEqual(rec.batches, [2, 2]);
      if (out.status === 'cancelled') assert.equal(out.written.length, 2);
    });
  });
});

describe('feedback and pairs from best-of candidates', () => {
  const base = {
    rubric: { id: 'formality', hash: '0123456789abcdef' },
    level: 4 as const,
    mode: 'directive' as const,
    system: 'Be formal (4/5).',
    user: 'Rewrite:\nhi',
    original: 'hi $x$',
    model: { name: 'test', file: '/m/t.gguf' },
    sampling: { temperature: 0.7, seed: 1 },
    document: { languageId: 'markdown', path: 'a.md' },
  };
  const cands = [
    { output: 'Greetings $x$.', score: 70, seed: 1, markupLost: [], critique: 'formal' },
    { output: 'Hello $x$.', score: 60, seed: 2, markupLost: [] },
    { output: 'Hello there.', score: 40, seed: 3, markupLost: ['lost: $x$'] },
    { output: 'Hello $x$.', score: 58, seed: 4, markupLost: [] },
  ];
  const rewriteEvent = (id: string, time: string) =>
    createRewriteEvent({ ...base, id, time, output: cands[0].output, markupLost: [], candidates: cands });

  it('validates candidates and the decision index', () => {
    assert.equal(validateFeedbackEvent({ ...rewriteEvent('r', '2026-11-01T00:00:00.000Z'), candidates: [] }).ok, false);
    assert.match(
      JSON.stringify(
        validateFeedbackEvent({
          ...rewriteEvent('r', '2026-11-01T00:00:00.000Z'),
          candidates: [{ ...cands[0], score: 101 }],
        }),
      ),
      /candidates\[0\]\.score/,
    );
    assert.throws(
      () => createDecisionEvent({ rewriteId: 'r', decision: 'accepted', final: 'x', candidate: -1 }),
      /candidate/,
    );
    assert.equal(createDecisionEvent({ rewriteId: 'r', decision: 'accepted', final: 'x', candidate: 2 }).candidate, 2);
  });

  it('the candidate accepted beats each other one under the same prompt (source candidates), duplicates once', () => {
    const r = rewriteEvent('r1', '2026-11-01T00:00:01.000Z');
    const d = createDecisionEvent({
      id: 'd1',
      time: '2026-11-01T00:00:02.000Z',
      rewriteId: 'r1',
      decision: 'accepted',
      final: cands[1].output,
      candidate: 1,
    });
    const { pairs } = buildPairs([r, d]);
    const got = pairs.filter((p) => p.source === 'candidates');
    assert.deepEqual(
      got.map((p) => [p.chosen[0].content, p.rejected[0].content, p.candidates]),
      [
        ['Hello $x$.', 'Greetings $x$.', [1, 0]],
        ['Hello $x$.', 'Hello there.', [1, 2]],
      ],
    );
    for (const p of got) {
      assert.deepEqual(p.prompt, [
        { role: 'system', content: base.system },
        { role: 'user', content: base.user },
      ]);
      assert.deepEqual(p.ids, ['r1', 'd1']);
    }
  });

  it(
    'no candidates pairs for a rejection, or when the candidate taken lost markup; an edit pairs ' +
      'against its own candidate',
    () => {
      const r = rewriteEvent('r1', '2026-11-01T00:00:01.000Z');
      const t = '2026-11-01T00:00:02.000Z';
      assert.deepEqual(
        buildPairs([r, createDecisionEvent({ time: t, rewriteId: 'r1', decision: 'rejected', final: cands[0].output })])
          .pairs,
        [],
      );
      assert.deepEqual(
        buildPairs([
          r,
          createDecisionEvent({ time: t, rewriteId: 'r1', decision: 'accepted', final: cands[2].output, candidate: 2 }),
        ]).pairs,
        [],
      );
      const edited = buildPairs([
        r,
        createDecisionEvent({ time: t, rewriteId: 'r1', decision: 'edited', final: 'Good day $x$.', candidate: 3 }),
      ]).pairs;
      assert.deepEqual(
        edited.filter((p) => p.source === 'edit').map((p) => [p.chosen[0].content, p.rejected[0].content]),
        [['Good day $x$.', 'Hello $x$.']],
      );
      assert.equal(edited.filter((p) => p.source === 'candidates').length, 2);
    },
  );
});
