// checkDocument's bookkeeping with a judge whose answers the test chooses: levels from scores, a numeric or
// median target, off-target flags, the over-long rule, failures, cancelling, and a re-check from the cache
// that never asks the judge. (The real engine runs in the CLI tests, test/process/check-command.test.ts.)
import assert from 'node:assert/strict';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import { CheckCache, checkDocument, medianLevel, type CheckOptions } from '../../src/core/check';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import { TooLongError } from '../../src/core/errors';

/** Answers with the score written in the paragraph ("score 72"), like a judge that read it. */
class ScriptedJudge implements TextGenerator {
  calls: string[] = [];
  promptTokens = 100;
  failOn?: string;
  onCall?: () => void;
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.user)![1];
    this.calls.push(text);
    this.onCall?.();
    if (this.failOn && text.includes(this.failOn)) throw new Error('the engine stopped unexpectedly');
    const score = Number(/score (\d+)/.exec(text)?.[1] ?? 50);
    return {
      text: JSON.stringify({ critique: `read ${score}`, score }),
      stopReason: 'eos',
      promptTokens: this.promptTokens + text.length,
      reusedPromptTokens: 0,
      outputTokens: 10,
      timeToFirstTokenMs: 1,
      tokensPerSecond: 1,
      totalMs: 1,
    };
  }
}

/** The same judge with a batched entry point, as the local engine has: records each batch's size. */
class BatchingJudge extends ScriptedJudge {
  batches: number[] = [];
  refuseBatchWith?: string;
  async generateBatch(reqs: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    this.batches.push(reqs.length);
    if (this.refuseBatchWith && reqs.some((r) => r.user.includes(this.refuseBatchWith!)))
      throw new Error('The prompt of batch job 2 is too long for its sequence');
    const out: GenerateResult[] = [];
    for (const r of reqs) out.push(await this.generate(r));
    return out;
  }
}

const DOC = [
  '# Title',
  '',
  'The first paragraph has score 72 here.',
  '',
  'The second paragraph has score 30 here.',
  '',
  'The third paragraph has score 90 here.',
  '',
].join('\n');

describe('style check: checkDocument', () => {
  let rubric: Rubric;
  before(async () => {
    rubric = (await loadRubrics()).rubrics.find((r) => r.id === 'formality')!;
  });

  const options = (judge: ScriptedJudge, extra: Partial<CheckOptions> = {}): CheckOptions => ({
    rubric,
    target: 4,
    judgeId: 'scripted',
    judge: async () => ({ generator: judge, contextSize: 4096 }),
    cache: new CheckCache(),
    critiqueChars: 40,
    ...extra,
  });

  it('levels from scores, off-target paragraphs, and a re-check that asks the judge nothing', async () => {
    const judge = new ScriptedJudge();
    const opts = options(judge);
    const r = await checkDocument(DOC, 'markdown', opts);
    assert.deepEqual(
      r.paragraphs.map((p) => [p.line, p.score, p.level, p.offTarget, p.critique]),
      [
        [3, 72, 4, false, 'read 72'],
        [5, 30, 2, true, 'read 30'],
        [7, 90, 5, true, 'read 90'],
      ],
    );
    assert.equal(r.target, 4);
    assert.deepEqual([r.counts.judged, r.counts.cached, r.counts.offTarget], [3, 0, 2]);
    assert.equal(judge.calls.length, 3);

    let loaded = false;
    const again = await checkDocument(DOC, 'markdown', {
      ...opts,
      judge: async () => {
        loaded = true;
        return { generator: judge };
      },
    });
    assert.equal(loaded, false, 'an unchanged document loads no judge');
    assert.equal(judge.calls.length, 3);
    assert.deepEqual([again.counts.judged, again.counts.cached], [0, 3]);

    // One edited paragraph: only it goes to the judge.
    const edited = DOC.replace('score 30', 'score 50');
    const third = await checkDocument(edited, 'markdown', opts);
    assert.deepEqual(judge.calls.slice(3), ['The second paragraph has score 50 here.']);
    assert.deepEqual([third.counts.judged, third.counts.cached], [1, 2]);
  });

  it('a batching judge gets the paragraphs as one batch, with the same results as one at a time', async () => {
    const one = await checkDocument(DOC, 'markdown', options(new ScriptedJudge()));
    const judge = new BatchingJudge();
    const r = await checkDocument(DOC, 'markdown', options(judge));
    assert.deepEqual(judge.batches, [3]);
    assert.deepEqual(r.paragraphs, one.paragraphs);
    assert.deepEqual(r.counts, one.counts);
  });

  it(
    'a batch the engine refuses is judged again one text at a time; an engine failure still fails ' + 'the rest',
    async () => {
      const judge = new BatchingJudge();
      judge.refuseBatchWith = 'second';
      const r = await checkDocument(DOC, 'markdown', options(judge));
      assert.deepEqual(judge.batches, [3]);
      assert.deepEqual(
        r.paragraphs.map((p) => [p.status, p.score]),
        [
          ['scored', 72],
          ['scored', 30],
          ['scored', 90],
        ],
      );
      const failing = new BatchingJudge();
      failing.failOn = 'second';
      const f = await checkDocument(DOC, 'markdown', options(failing));
      assert.deepEqual(
        f.paragraphs.map((p) => p.status),
        ['scored', 'failed', 'failed'],
      );
      assert.match(f.paragraphs[2].error!, /stopped unexpectedly/);
    },
  );

  it("'median' targets the document's own median level", async () => {
    const r = await checkDocument(DOC, 'markdown', options(new ScriptedJudge(), { target: 'median' }));
    assert.equal(r.target, 4);
    assert.deepEqual(
      r.paragraphs.map((p) => p.offTarget),
      [false, true, true],
    );
    assert.equal(medianLevel([10, 30]), 1, 'halfway between goes to the lower level');
    assert.equal(medianLevel([]), undefined);
  });

  it(
    'a paragraph whose prompt and answer limit exceed the context is skipped and counted; the rest ' + 'are scored',
    async () => {
      const judge = new ScriptedJudge();
      const long = `A very long paragraph with score 50 ${'and more words '.repeat(300)}`;
      const r = await checkDocument(`${long}\n\nA short paragraph with score 70.\n`, 'plaintext', {
        ...options(judge),
        judge: async () => ({ generator: judge, contextSize: 2048 }),
      });
      assert.deepEqual(
        r.paragraphs.map((p) => p.status),
        ['too-long', 'scored'],
      );
      assert.equal(r.paragraphs[0].contextSize, 2048);
      assert.ok(r.paragraphs[0].promptTokens! > 2048 - 64);
      assert.equal(r.counts['too-long'], 1);
    },
  );

  it(
    "the engine's own TooLongError skips the paragraph with its numbers; a look-alike message alone " + 'does not',
    async () => {
      class RefusingJudge extends ScriptedJudge {
        refuse?: (text: string) => Error;
        override async generate(req: GenerateRequest): Promise<GenerateResult> {
          const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.user)![1]!;
          if (text.includes('second')) throw this.refuse!(text);
          return super.generate(req);
        }
      }
      const judge = new RefusingJudge();
      judge.refuse = () => new TooLongError(3000, 2048, 'The prompt is too long for the context: 3000 tokens.');
      const r = await checkDocument(DOC, 'markdown', options(judge));
      assert.deepEqual(
        r.paragraphs.map((p) => p.status),
        ['scored', 'too-long', 'scored'],
      );
      assert.deepEqual([r.paragraphs[1].promptTokens, r.paragraphs[1].contextSize], [3000, 2048]);
      // The message is never parsed: the old engine wording in a plain Error is an engine failure like any other.
      const plain = new RefusingJudge();
      plain.refuse = () => new Error('The prompt is too long for the context: 3000 tokens, context size 2048.');
      const r2 = await checkDocument(DOC, 'markdown', options(plain));
      assert.deepEqual(
        r2.paragraphs.map((p) => p.status),
        ['scored', 'failed', 'failed'],
      );
    },
  );

  it('an engine failure fails the paragraphs from there on with its message; nothing is cached for them', async () => {
    const judge = new ScriptedJudge();
    judge.failOn = 'second';
    const opts = options(judge);
    const r = await checkDocument(DOC, 'markdown', opts);
    assert.deepEqual(
      r.paragraphs.map((p) => p.status),
      ['scored', 'failed', 'failed'],
    );
    assert.match(r.paragraphs[2].error!, /stopped unexpectedly/);
    judge.failOn = undefined;
    const retry = await checkDocument(DOC, 'markdown', opts);
    assert.deepEqual([retry.counts.cached, retry.counts.judged], [1, 2]);
  });

  it('a judge that cannot load fails every paragraph with its message', async () => {
    const r = await checkDocument(DOC, 'markdown', {
      ...options(new ScriptedJudge()),
      judge: async () => {
        throw new Error('model file not found: /nowhere.gguf');
      },
    });
    assert.equal(r.counts.failed, 3);
    assert.match(r.paragraphs[0].error!, /nowhere\.gguf/);
  });

  it('cancelling mid-way keeps what was scored; the next check starts from there', async () => {
    const judge = new ScriptedJudge();
    const ac = new AbortController();
    judge.onCall = () => {
      if (judge.calls.length === 2) ac.abort();
    };
    const opts = options(judge);
    const r = await checkDocument(DOC, 'markdown', { ...opts, signal: ac.signal });
    assert.deepEqual(
      r.paragraphs.map((p) => p.status),
      ['scored', 'cancelled', 'cancelled'],
    );
    judge.onCall = undefined;
    const next = await checkDocument(DOC, 'markdown', opts);
    assert.deepEqual([next.counts.cached, next.counts.judged], [1, 2]);
  });

  it('a range checks only the paragraphs it overlaps', async () => {
    const at = DOC.indexOf('second');
    const r = await checkDocument(DOC, 'markdown', options(new ScriptedJudge(), { range: { start: at, end: at } }));
    assert.deepEqual(
      r.paragraphs.map((p) => p.line),
      [5],
    );
  });
});
