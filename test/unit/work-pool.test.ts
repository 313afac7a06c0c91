// core/engine/work-pool: N items at a time; with a generator that batches, the workers' generations go out
// together as one generateBatch; a failure stops taking new items and is thrown once the rest end.
import assert from 'node:assert/strict';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import { workPool } from '../../src/core/engine/work-pool';

const result = (text: string): GenerateResult => ({
  text,
  stopReason: 'eos',
  promptTokens: 1,
  reusedPromptTokens: 0,
  outputTokens: 1,
  timeToFirstTokenMs: 1,
  tokensPerSecond: 1,
  totalMs: 1,
});

/** Echoes the user message; with `batching` it offers generateBatch and records each batch's prompts. */
function generator(batching: boolean): TextGenerator & { batches: string[][]; singles: number } {
  const g = {
    batches: [] as string[][],
    singles: 0,
    generate: async (req: GenerateRequest) => {
      g.singles++;
      await new Promise((r) => setImmediate(r));
      return result(`out ${req.user}`);
    },
    ...(batching
      ? {
          generateBatch: async (reqs: readonly GenerateRequest[]) => {
            g.batches.push(reqs.map((r) => r.user));
            return reqs.map((r) => result(`out ${r.user}`));
          },
        }
      : {}),
  };
  return g;
}

const ask = (gen: TextGenerator, user: string) => gen.generate({ system: 's', user, maxTokens: 4 });

describe('workPool (bulk work N at a time)', () => {
  it('with a batching generator, the items in flight are one batch, and every item gets its own answer', async () => {
    const gen = generator(true);
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const got = new Map<string, string>();
    await workPool(items, { limit: 3, generator: gen }, async (item, g) => {
      got.set(item, (await ask(g, item)).text);
      got.set(`${item}2`, (await ask(g, `${item}2`)).text);
    });
    for (const item of items) {
      assert.equal(got.get(item), `out ${item}`);
      assert.equal(got.get(`${item}2`), `out ${item}2`);
    }
    // Seven items on three workers: only the last item, with no other left in flight, goes out alone.
    assert.equal(gen.singles, 2, 'generations went out alone while others were in flight');
    assert.ok(gen.batches.every((batch) => batch.length >= 2 && batch.length <= 3));
    assert.equal(gen.batches[0].length, 3, `first round: ${JSON.stringify(gen.batches)}`);
    assert.equal(gen.batches.flat().length, 12);
  });

  it('without batching, up to N items run concurrently through the generator itself', async () => {
    const gen = generator(false);
    let inFlight = 0;
    let most = 0;
    await workPool([1, 2, 3, 4, 5], { limit: 2, generator: gen }, async (n, g) => {
      assert.equal(g, gen);
      most = Math.max(most, ++inFlight);
      await ask(g, String(n));
      inFlight--;
    });
    assert.equal(most, 2);
    assert.equal(gen.singles, 5);
  });

  it('the first error stops taking new items and is thrown after the items in flight end; stop() too', async () => {
    const gen = generator(true);
    const started: number[] = [];
    const finished: number[] = [];
    await assert.rejects(
      workPool([1, 2, 3, 4, 5, 6, 7, 8], { limit: 2, generator: gen }, async (n, g) => {
        started.push(n);
        await ask(g, String(n));
        if (n === 3) throw new Error('item 3 failed');
        finished.push(n);
      }),
      /item 3 failed/,
    );
    assert.ok(started.length <= 5, `kept taking items after the failure: ${started}`);
    assert.ok(finished.includes(4) || !started.includes(4), 'an item in flight was abandoned');
    let stop = false;
    const done: number[] = [];
    await workPool([1, 2, 3, 4], { limit: 1, generator: gen, stop: () => stop }, async (n) => {
      done.push(n);
      stop = n === 2;
    });
    assert.deepEqual(done, [1, 2]);
    await assert.rejects(
      workPool([1], { limit: 0, generator: gen }, async () => {}),
      /at least 1/,
    );
  });
});
