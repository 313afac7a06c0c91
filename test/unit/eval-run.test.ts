// core/eval's runEval with a scripted generator whose rewrites a scripted judge can place: the prompts it
// sends are the extension's, a perfect judge gives perfect metrics, and a resumed run refuses to mix judges.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import {
  EvalConfigError,
  parseEvalTasks,
  parseEvalTexts,
  readEvalSamples,
  runEval,
  type EvalModelHandle,
  type EvalText,
} from '../../src/core/eval';
import { LazyGenerator } from '../../src/core/judge';
import { rowSetup } from '../../src/core/eval';
import { rewritePrompt } from '../../src/core/rewrite';
import { loadRubrics, type Level, type Rubric } from '../../src/core/rubrics';
import { EndpointGenerator } from '../../src/core/endpoint';
import { FakeOpenAIServer } from './helpers/openai-server';

function result(text: string): GenerateResult {
  return {
    text,
    stopReason: 'eos',
    promptTokens: 10,
    reusedPromptTokens: 0,
    outputTokens: 5,
    timeToFirstTokenMs: 1,
    tokensPerSecond: 1,
    totalMs: 1,
  };
}

/**
 * Rewrites into "LEVEL n" (n read off the system prompt the extension would send); judges "LEVEL n" as 20n − 10 +
 * offset.
 */
class Scripted implements TextGenerator {
  readonly requests: GenerateRequest[] = [];
  constructor(
    private readonly systems: Map<string, Level>,
    private readonly offset = 0,
  ) {}
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(req);
    if (req.jsonSchema) {
      const level = Number(/LEVEL (\d)/.exec(req.user)?.[1]);
      return result(JSON.stringify({ critique: 'placed', score: Math.min(100, level * 20 - 10 + this.offset) }));
    }
    const level = this.systems.get(req.system);
    assert.ok(level, 'the system prompt is one the extension sends');
    return result(`LEVEL ${level}`);
  }
}

describe('core/eval runEval (scripted generator)', () => {
  let dir: string;
  let rubrics: Rubric[];
  const texts: EvalText[] = parseEvalTexts(
    [
      '{"id":"t1","register":"email","languageId":"plaintext","text":"Send the slides, please."}',
      '{"id":"t2","register":"blog","languageId":"markdown","text":"A **bold** claim with [a ' +
        'link](https://example.com)."}',
    ].join('\n'),
  ).texts;
  const systemsFor = (levels: Level[]) => {
    const m = new Map<string, Level>();
    for (const r of rubrics)
      for (const t of texts)
        for (const l of levels)
          for (const mode of ['directive', 'rubric'] as const)
            m.set(rewritePrompt(t.text, { rubric: r, level: l }, mode, t.languageId).system, l);
    return m;
  };
  const handle = (generator: TextGenerator, name = 'scripted'): EvalModelHandle => ({
    generator,
    name,
    ref: { name, file: `${name}.gguf` },
    dispose: async () => undefined,
  });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-eval-run-'));
    rubrics = (await loadRubrics({})).rubrics.filter((r) => r.id === 'formality' || r.id === 'warmth');
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it("reads the texts file's language id and register, and refuses a language id that is not one", () => {
    assert.deepEqual(
      texts.map((t) => [t.id, t.languageId, t.register]),
      [
        ['t1', 'plaintext', 'email'],
        ['t2', 'markdown', 'blog'],
      ],
    );
    const bad = parseEvalTexts('{"id":"x","languageId":"not a language","text":"y"}\nplain line');
    assert.equal(bad.texts.length, 0);
    assert.match(
      bad.problems.map((p) => `${p.line}: ${p.message}`).join('\n'),
      /1: "languageId" must be a VS Code language id/,
    );
  });

  it('a perfect judge whose scores tie as the levels do gives accuracy, order accuracy and τ-b of 1', async () => {
    const gen = new Scripted(systemsFor([1, 3, 5]));
    const outcome = await runEval({
      outDir: dir,
      models: [{ label: 'm', open: async () => handle(gen) }],
      rubrics,
      texts,
      levels: [5, 1, 3],
      modes: ['directive'],
    });
    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.present, 12);
    const m = outcome.report.rows[0].pooled;
    assert.equal(m.accuracy, 1);
    assert.equal(m.orderAccuracy, 1);
    assert.equal(m.orderGroups, 4);
    // Scores tie exactly as levels do here (10, 50, 90), so τ-b reaches 1: the ceiling needs untied scores.
    assert.equal(m.tauB, 1);
    // Each rewrite request is the extension's prompt, with the passage's language id.
    const rewrites = gen.requests.filter((r) => !r.jsonSchema);
    assert.equal(rewrites.length, 12);
    assert.ok(
      rewrites.some(
        (r) =>
          r.system === rewritePrompt(texts[1].text, { rubric: rubrics[0], level: 3 }, 'directive', 'markdown').system,
      ),
    );
  });

  it('--concurrency 4: the same samples as one at a time, with rewrites and judgements sent as batches', async () => {
    // A generator that batches, as the local engine does (parallel sequences); it records each batch's size.
    class Batching extends Scripted {
      readonly batches: number[] = [];
      async generateBatch(reqs: readonly GenerateRequest[]): Promise<GenerateResult[]> {
        this.batches.push(reqs.length);
        return Promise.all(reqs.map((r) => this.generate(r)));
      }
    }
    const systems = systemsFor([1, 3, 5]);
    const common = { rubrics, texts, levels: [1, 3, 5] as Level[], modes: ['directive' as const], samples: 2 };
    const one = await runEval({
      ...common,
      outDir: dir,
      models: [{ label: 'm', open: async () => handle(new Scripted(systems)) }],
    });
    const gen = new Batching(systems);
    const outDir = path.join(dir, 'four');
    const four = await runEval({
      ...common,
      outDir,
      concurrency: 4,
      models: [{ label: 'm', open: async () => handle(gen) }],
    });
    assert.equal(four.status, 'complete');
    assert.equal(four.present, one.present);
    const key = (s: {
      textId: string;
      rubric: string;
      level: number;
      sample: number;
      seed?: number;
      output: string;
      score: number;
    }) => `${s.textId}/${s.rubric}/${s.level}/${s.sample}/${s.seed}: ${s.output} = ${s.score}`;
    const samples = async (d: string) => (await readEvalSamples(path.join(d, 'samples.jsonl'))).samples.map(key).sort();
    assert.deepEqual(await samples(outDir), await samples(dir));
    assert.ok(gen.batches.length > 0 && gen.batches.every((n) => n >= 2 && n <= 4), `batches ${gen.batches}`);
    assert.ok(
      gen.batches.some((n) => n === 4),
      'four samples never ran at once',
    );
    // The model judges its own rewrites through the same workers: some judgements were batched too.
    assert.ok(gen.requests.filter((r) => r.jsonSchema).length === 24);
    await assert.rejects(
      runEval({
        ...common,
        outDir: path.join(dir, 'zero'),
        concurrency: 0,
        models: [{ label: 'm', open: async () => handle(gen) }],
      }),
      /concurrency must be a whole number of at least 1/,
    );
  });

  it("a resumed run does only what is missing, and refuses to mix in another judge's scores", async () => {
    const systems = systemsFor([1, 5]);
    const gen = new Scripted(systems);
    const common = { outDir: dir, rubrics, texts, levels: [1, 5] as Level[], modes: ['rubric' as const] };
    await runEval({ ...common, texts: texts.slice(0, 1), models: [{ label: 'm', open: async () => handle(gen) }] });
    assert.equal((await readEvalSamples(path.join(dir, 'samples.jsonl'))).samples.length, 4);
    gen.requests.length = 0;
    const outcome = await runEval({ ...common, models: [{ label: 'm', open: async () => handle(gen) }] });
    assert.equal(outcome.made, 4);
    assert.equal(gen.requests.filter((r) => !r.jsonSchema).length, 4, 'only the second passage is rewritten');

    const judge = new LazyGenerator(async () => ({
      generator: new Scripted(systems, 3),
      name: 'other judge',
      dispose: async () => undefined,
    }));
    const more = [...texts, ...parseEvalTexts('{"id":"t3","text":"New passage."}').texts];
    await assert.rejects(
      runEval({
        ...common,
        texts: more,
        judge,
        models: [{ label: 'm', open: async () => handle(new Scripted(systemsFor([1, 5]))) }],
      }),
      (err: unknown) =>
        err instanceof EvalConfigError &&
        /already holds scripted \(rubric\) judged by scripted; this run's judge is other judge/.test(err.message),
    );
    assert.equal(
      (await readEvalSamples(path.join(dir, 'samples.jsonl'))).samples.length,
      8,
      'nothing was added or lost',
    );
  });

  it('refuses no passages, no rubric and a level outside 1–5 before loading anything', async () => {
    let opened = 0;
    const models = [
      {
        label: 'm',
        open: async () => {
          opened++;
          return handle(new Scripted(new Map()));
        },
      },
    ];
    await assert.rejects(
      runEval({ outDir: dir, models, rubrics, texts: [], levels: [1], modes: ['directive'] }),
      /no passage to rewrite/,
    );
    await assert.rejects(
      runEval({ outDir: dir, models, rubrics: [], texts, levels: [1], modes: ['directive'] }),
      /no rubric/,
    );
    await assert.rejects(
      runEval({ outDir: dir, models, rubrics, texts, levels: [0 as Level, 6 as Level], modes: ['directive'] }),
      /levels must be 1 to 5, got 0, 6/,
    );
    assert.equal(opened, 0);
  });

  it(
    'skips up front a passage whose prompt and maxTokens cannot fit the context: no request is sent ' + 'for it',
    async () => {
      const gen = new Scripted(systemsFor([1, 5]));
      const long = parseEvalTexts(JSON.stringify({ id: 'long', text: 'word '.repeat(300).trim() })).texts;
      const counted: string[] = [];
      const one = rubrics.slice(0, 1);
      const outcome = await runEval({
        outDir: dir,
        rubrics: one,
        texts: [texts[0], ...long, texts[1]],
        levels: [1, 5],
        samples: 2,
        modes: ['directive'],
        sampling: { maxTokens: 100 },
        models: [
          {
            label: 'm',
            open: async () => ({
              ...handle(gen),
              contextSize: 1000,
              // The long passage's prompt fits the context alone (950 < 1000), but not with 100 tokens to write.
              countTokens: async (_system: string, user: string) => {
                counted.push(user);
                return user.includes('word word') ? 950 : 50;
              },
            }),
          },
        ],
      });
      assert.equal(outcome.status, 'complete');
      assert.deepEqual(outcome.skippedTexts, [{ textId: 'long', model: 'scripted', tokens: 950, contextSize: 1000 }]);
      assert.ok(!gen.requests.some((r) => r.user.includes('word word')), 'no request for the long passage');
      assert.equal(gen.requests.filter((r) => !r.jsonSchema).length, 8, '2 passages × 2 levels × 2 samples');
      assert.equal(counted.length, 6, 'each distinct prompt is counted once (3 passages × 2 levels)');
      assert.equal(outcome.planned, 8);
      assert.equal(outcome.present, 8);
      const read = await readEvalSamples(path.join(dir, 'samples.jsonl'));
      assert.deepEqual([...new Set(read.samples.map((s) => s.textId))].sort(), ['t1', 't2']);
      assert.match(await fs.readFile(outcome.files.md, 'utf8'), /1 passage skipped: too long for a 1000-token context/);
    },
  );

  it('skips a passage a server refuses as too long for its context, by the sizes the server gave', async () => {
    const server = new FakeOpenAIServer();
    await server.start();
    try {
      server.reply = (body) => (body.response_format ? '{"critique":"even","score":50}' : 'A plain rewrite.');
      server.refuse = (body) =>
        body.messages[1]!.content.includes('word word')
          ? {
              status: 400,
              body: JSON.stringify({
                error: {
                  message: 'the request exceeds the available context size',
                  n_prompt_tokens: 5120,
                  n_ctx: 4096,
                },
              }),
            }
          : undefined;
      const endpoint = new EndpointGenerator({ baseURL: server.baseUrl, model: 'served', retryDelayMs: 20 });
      const long = parseEvalTexts(JSON.stringify({ id: 'long', text: 'word '.repeat(300).trim() })).texts;
      const outcome = await runEval({
        outDir: dir,
        rubrics: rubrics.slice(0, 1),
        texts: [texts[0], ...long],
        levels: [1, 5],
        modes: ['directive'],
        models: [{ label: 'served', open: async () => handle(endpoint, 'served') }],
      });
      assert.equal(outcome.status, 'complete', 'the run is not stopped by the refusal');
      assert.deepEqual(outcome.failures, []);
      assert.deepEqual(outcome.skippedTexts, [{ textId: 'long', model: 'served', tokens: 5120, contextSize: 4096 }]);
      assert.equal(outcome.present, 2);
      assert.equal(
        server.chats.filter((c) => c.body.messages[1].content.includes('word word')).length,
        1,
        'the long passage is asked once, then skipped for its other level',
      );
    } finally {
      await server.close();
    }
  });

  it(
    "tasks: the prompt is the user message under the style's system prompt; task samples are rows of " + 'their own',
    async () => {
      const systems = systemsFor([1, 5]);
      const gen = new Scripted(systems);
      const tasks = parseEvalTasks(
        ['{"id":"k1","prompt":"Write a note to a neighbour."}', '{"id":"k2","prompt":"Describe a rainy street."}'].join(
          '\n',
        ),
      );
      assert.deepEqual(tasks.problems, []);
      const one = rubrics.slice(0, 1);
      const outcome = await runEval({
        outDir: dir,
        rubrics: one,
        texts: tasks.texts,
        kind: 'tasks',
        levels: [1, 5],
        modes: ['directive'],
        bestOf: [1, 2],
        models: [{ label: 'm', open: async () => handle(gen) }],
      });
      assert.equal(outcome.status, 'complete');
      const writes = gen.requests.filter((r) => !r.jsonSchema);
      assert.equal(writes.length, 2 * 2 * (1 + 2), '2 tasks × 2 levels × (1 + 2 candidates)');
      assert.ok(
        writes.every((r) => r.user === 'Write a note to a neighbour.' || r.user === 'Describe a rainy street.'),
      );
      assert.ok(writes.every((r) => systems.has(r.system)));
      const read = await readEvalSamples(path.join(dir, 'samples.jsonl'));
      assert.equal(read.samples.length, 8);
      assert.ok(read.samples.every((s) => s.task === true));
      assert.deepEqual(
        read.samples.filter((s) => s.bestOf === 2).map((s) => s.judgements),
        [2, 2, 2, 2],
      );
      assert.deepEqual(
        outcome.report.rows.map((r) => [rowSetup(r), r.pooled.n, r.pooled.accuracy]),
        [
          ['directive, tasks', 4, 1],
          ['directive, best-of-2, tasks', 4, 1],
        ],
      );
      // Rewrites of passages into the same folder are rows of their own, never pooled with the tasks.
      const again = await runEval({
        outDir: dir,
        rubrics: one,
        texts,
        levels: [1, 5],
        modes: ['directive'],
        models: [{ label: 'm', open: async () => handle(gen) }],
      });
      assert.deepEqual(
        again.report.rows.map((r) => [rowSetup(r), r.pooled.n]),
        [
          ['directive, tasks', 4],
          ['directive, best-of-2, tasks', 4],
          ['directive', 4],
        ],
      );
    },
  );

  it('no sample is retried for ever: after 3 failed attempts over runs it is given up, named and counted', async () => {
    /** Writes nothing for the markdown passage: its rewrites come out empty, a failure of that sample only. */
    class EmptyForBold extends Scripted {
      override async generate(req: GenerateRequest): Promise<GenerateResult> {
        if (!req.jsonSchema && req.user.includes('bold')) {
          this.requests.push(req);
          return result('');
        }
        return super.generate(req);
      }
    }
    const gen = new EmptyForBold(systemsFor([1, 5]));
    const runOnce = () =>
      runEval({
        outDir: dir,
        rubrics: rubrics.slice(0, 1),
        texts,
        levels: [1, 5],
        modes: ['directive'],
        models: [{ label: 'm', open: async () => handle(gen) }],
      });
    const first = await runOnce();
    assert.equal(first.status, 'incomplete');
    assert.equal(first.failures.length, 2);
    assert.deepEqual(first.givenUp, []);
    assert.equal((await runOnce()).status, 'incomplete');
    const third = await runOnce();
    assert.equal(third.status, 'complete', 'the third failure gives the two samples up');
    assert.deepEqual(
      third.givenUp.map((g) => [g.what, g.attempts]),
      [
        ['t2/formality/L1/s0 (directive)', 3],
        ['t2/formality/L5/s0 (directive)', 3],
      ],
    );
    assert.match(third.givenUp[0].message, /empty after clean-up/);
    assert.match(
      await fs.readFile(third.files.md, 'utf8'),
      new RegExp(
        String.raw`2 samples given up after 3 failed attempts each:\n\n- ` +
          String.raw`t2\/formality\/L1\/s0 \(directive\): the model wrote nothing`,
      ),
    );
    gen.requests.length = 0;
    const fourth = await runOnce();
    assert.equal(fourth.status, 'complete');
    assert.equal(gen.requests.length, 0, 'a given-up sample is not tried again');
    assert.equal(fourth.givenUp.length, 2);
    assert.equal(fourth.planned, 2);
    assert.equal((await readEvalSamples(path.join(dir, 'samples.jsonl'))).samples.length, 2);
  });
});
