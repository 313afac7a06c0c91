// core/judge: the prompt, the answer's schema and parsing, nearestLevel, and the judge on the real engine
// with generated random-weight models, whose answers are random: only the grammar makes them parse.
import assert from 'node:assert/strict';
import { EngineClient } from '../../src/core/engine';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import { EndpointGenerator } from '../../src/core/endpoint';
import {
  JudgeCancelledError,
  JudgeError,
  LazyGenerator,
  judgeMaxTokens,
  judgePrompt,
  judgeSchema,
  judgeText,
  nearestLevel,
  parseJudgement,
} from '../../src/core/judge';
import { loadRubrics, type Level, type Rubric } from '../../src/core/rubrics';
import { FakeOpenAIServer } from '../unit/helpers/openai-server';
import { testEngineOptions, testModel } from '../unit/helpers/test-models';

const TEXT = 'hey, can u send me the slides from yesterday? need them for the 3pm call. thx';

function isScore(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100;
}

/** Records every request and result of the generator it wraps. */
class Recording implements TextGenerator {
  readonly requests: GenerateRequest[] = [];
  readonly results: GenerateResult[] = [];
  constructor(private readonly inner: TextGenerator) {}
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(req);
    const r = await this.inner.generate(req);
    this.results.push(r);
    return r;
  }
}

function result(text: string, stopReason: GenerateResult['stopReason'] = 'eos', outputTokens = 10): GenerateResult {
  return {
    text,
    stopReason,
    promptTokens: 100,
    reusedPromptTokens: 0,
    outputTokens,
    timeToFirstTokenMs: 1,
    tokensPerSecond: 1,
    totalMs: 1,
  };
}

describe('core/judge', function () {
  this.timeout(120_000);
  let rubrics: Rubric[];
  let formality: Rubric;
  before(async () => {
    rubrics = (await loadRubrics({})).rubrics;
    formality = rubrics.find((r) => r.id === 'formality')!;
  });

  describe('nearestLevel', () => {
    it('picks the level whose target (10, 30, 50, 70, 90) is nearest', () => {
      const all: Level[] = [1, 2, 3, 4, 5];
      assert.deepEqual(
        [0, 10, 19, 21, 50, 69, 71, 90, 100].map((s) => nearestLevel(s, all)),
        [1, 1, 1, 2, 3, 4, 4, 5, 5],
      );
      assert.deepEqual(
        [0, 29, 31, 69, 71, 100].map((s) => nearestLevel(s, [1, 3, 5])),
        [1, 1, 3, 3, 5, 5],
      );
    });

    it(
      'gives a score exactly halfway between two targets to the lower level, whatever order the levels ' + 'come in',
      () => {
        assert.equal(nearestLevel(20, [1, 2, 3, 4, 5]), 1);
        assert.equal(nearestLevel(40, [5, 4, 3, 2, 1]), 2);
        assert.equal(nearestLevel(80, [5, 4]), 4);
        assert.equal(nearestLevel(30, [5, 3, 1]), 1);
        assert.equal(nearestLevel(70, [3, 5, 1]), 3);
        assert.equal(nearestLevel(60, [4, 3]), 3);
      },
    );

    it('refuses no levels and a score that is not a number', () => {
      assert.throws(() => nearestLevel(50, []), /at least one level/);
      assert.throws(() => nearestLevel(Number.NaN, [1, 3]), /finite score/);
    });
  });

  describe('the prompt and the answer format', () => {
    it(
      'holds the whole rubric (criteria with weights, the five descriptors, scoring notes), the bands ' +
        'and the text',
      () => {
        const p = judgePrompt(formality, TEXT, 200);
        for (const c of formality.criteria) {
          assert.ok(p.system.includes(`${c.name} (weight ${c.weight}%)`), c.name);
          for (const d of c.levels) assert.ok(p.system.includes(d.split('\n')[0]), d);
        }
        for (const name of formality.levels) assert.ok(p.system.includes(`"${name}"`), name);
        if (formality.scoring) assert.ok(p.system.includes(formality.scoring.split('\n')[0]));
        assert.match(
          p.system,
          /level 1 about 10, level 2 about 30, level 3 about 50, level 4 about 70, level 5 about 90/,
        );
        assert.match(
          p.system,
          /first "critique", a short critique \(at most 200 characters\).*then "score", one whole number from 0 to 100/,
        );
        assert.ok(p.user.endsWith(`<text>\n${TEXT}\n</text>`));
        assert.ok(
          !p.system.includes(TEXT),
          'the text is in the user message only, so the system prompt is a shared prefix',
        );
      },
    );

    it(
      'asks for critique then score, the critique length-capped and the score one of 0..100 (the ' +
        'grammar ignores minimum/maximum)',
      () => {
        const schema = judgeSchema(120) as {
          properties: { critique: { maxLength: number }; score: { enum: number[] } };
          required: string[];
        };
        assert.deepEqual(Object.keys(schema.properties), ['critique', 'score']);
        assert.equal(schema.properties.critique.maxLength, 120);
        assert.deepEqual(
          schema.properties.score.enum,
          Array.from({ length: 101 }, (_, i) => i),
        );
        assert.deepEqual(schema.required, ['critique', 'score']);
        assert.ok(judgeMaxTokens(120) >= 6 * 120 + 40, 'room for a critique written entirely in \\uXXXX escapes');
      },
    );

    it(
      'reads the schema JSON, a fenced or chatty answer, a score sent as text or with decimals, and ' + 'nothing else',
      () => {
        assert.deepEqual(parseJudgement('{"critique": "Casual.", "score": 12}', 100), {
          score: 12,
          critique: 'Casual.',
        });
        assert.deepEqual(parseJudgement('{ "critique" : "ok" ,\n "score" :100 }', 100), { score: 100, critique: 'ok' });
        assert.deepEqual(parseJudgement('Sure!\n```json\n{"critique": "Stiff.", "score": "81"}\n```', 100), {
          score: 81,
          critique: 'Stiff.',
        });
        assert.deepEqual(parseJudgement('{"critique": "x", "score": 72.5}', 100), { score: 73, critique: 'x' });
        assert.deepEqual(parseJudgement('{"critique": "a \\"quoted\\" word", "score": 40', 100), {
          score: 40,
          critique: 'a "quoted" word',
        });
        assert.deepEqual(parseJudgement('{"critique": "abcdefghij", "score": 5}', 4), { score: 5, critique: 'abcd' });
        assert.deepEqual(parseJudgement('{"score": 0}', 100), { score: 0, critique: '' });
        for (const bad of [
          '',
          'Score: excellent',
          '{"critique": "cut off mid-sent',
          '{"critique": "x", "score": 101}',
          '{"critique": "x", "score": -3}',
          '[1, 2]',
          '{"score": "high"}',
        ]) {
          assert.equal(parseJudgement(bad, 100), undefined, bad);
        }
      },
    );

    it('refuses a critique cap or temperature it cannot honour', async () => {
      const never: TextGenerator = { generate: () => assert.fail('nothing should be sent') };
      await assert.rejects(judgeText(never, formality, TEXT, { maxCritiqueChars: -1 }), JudgeError);
      await assert.rejects(judgeText(never, formality, TEXT, { maxCritiqueChars: 1.5 }), JudgeError);
      await assert.rejects(judgeText(never, formality, TEXT, { temperature: -0.1 }), JudgeError);
    });

    it(
      'asks again with a critique that fits when the answer was cut off by the context, and says so ' +
        'when nothing parses',
      async () => {
        const requests: GenerateRequest[] = [];
        const answers = [
          result('{"critique": "aaaaaaaaaaaaaaaa', 'maxTokens', 160),
          result('{"critique": "short", "score": 64}'),
        ];
        const gen: TextGenerator = {
          generate: async (req) => {
            requests.push(req);
            return answers.shift()!;
          },
        };
        assert.deepEqual(await judgeText(gen, formality, TEXT, { maxCritiqueChars: 300 }), {
          score: 64,
          critique: 'short',
        });
        assert.equal(requests.length, 2);
        assert.equal(
          (requests[1].jsonSchema as { properties: { critique: { maxLength: number } } }).properties.critique.maxLength,
          Math.floor((160 - 64) / 6),
        );
        assert.equal(requests[1].maxTokens, judgeMaxTokens(16));
        assert.match(requests[1].system, /at most 16 characters/);

        const garbage: TextGenerator = { generate: async () => result('I would rather not say.') };
        await assert.rejects(
          judgeText(garbage, formality, TEXT),
          (err: unknown) =>
            err instanceof JudgeError && /holds no score from 0 to 100: "I would rather not say\."/.test(err.message),
        );
      },
    );
  });

  describe('on the real engine with generated random-weight models', () => {
    let engine: EngineClient;
    before(async () => {
      engine = new EngineClient(testEngineOptions({ contextSize: 4096 }));
      await engine.load(await testModel());
    });
    after(async () => engine.dispose());

    it(
      'always yields a whole-number score from 0 to 100 and a capped critique, across seeds, rubrics ' + 'and texts',
      async () => {
        const rec = new Recording(engine);
        const texts = [
          TEXT,
          'The committee hereby acknowledges receipt of your correspondence.',
          'Ünïcödé ✓ "quotes" and \\backslashes\\ {braces}',
        ];
        const scores: number[] = [];
        for (let seed = 0; seed < 36; seed++) {
          const rubric = rubrics[seed % rubrics.length];
          const j = await judgeText(rec, rubric, texts[seed % texts.length], {
            seed,
            temperature: 1,
            maxCritiqueChars: 40,
          });
          assert.ok(isScore(j.score), `seed ${seed}: ${JSON.stringify(j)}`);
          assert.ok(typeof j.critique === 'string' && j.critique.length <= 40, `seed ${seed}: ${JSON.stringify(j)}`);
          scores.push(j.score);
        }
        // Every answer was the schema's JSON as the engine wrote it, within the token budget: no retry was needed.
        assert.equal(rec.requests.length, 36);
        for (const r of rec.results) {
          assert.equal(r.stopReason, 'eos', r.text);
          const parsed = JSON.parse(r.text) as { critique: string; score: number };
          assert.deepEqual(Object.keys(parsed), ['critique', 'score']);
          assert.ok(isScore(parsed.score));
        }
        assert.ok(
          new Set(scores).size > 5,
          `a random model at temperature 1 gives varied scores, got ${scores.join(' ')}`,
        );
      },
    );

    it('at temperature 0 gives the same judgement for the same text, the default critique cap included', async () => {
      const a = await judgeText(engine, formality, TEXT);
      const b = await judgeText(engine, formality, TEXT);
      assert.deepEqual(a, b);
      assert.ok(isScore(a.score) && a.critique.length <= 300);
    });

    it('with a real BPE tokenizer and the Llama 3 chat template too', async () => {
      const bpe = new EngineClient(testEngineOptions({ contextSize: 4096 }));
      try {
        await bpe.load(
          await testModel({ layers: 2, embd: 64, heads: 4, ff: 128, tokenizer: 'cl100k', chatTemplate: 'llama3' }),
        );
        for (let seed = 0; seed < 8; seed++) {
          const j = await judgeText(bpe, rubrics[seed % rubrics.length], TEXT, {
            seed,
            temperature: 1,
            maxCritiqueChars: 60,
          });
          assert.ok(isScore(j.score) && j.critique.length <= 60, JSON.stringify(j));
        }
      } finally {
        await bpe.dispose();
      }
    });

    it('still returns a score when the context leaves less room than the critique cap needs', async () => {
      const probe = new Recording(engine);
      await judgeText(probe, formality, TEXT, { maxCritiqueChars: 0 });
      const promptTokens = probe.results[0].promptTokens;
      const tight = new EngineClient(testEngineOptions({ contextSize: promptTokens + 140 }));
      try {
        await tight.load(await testModel());
        const rec = new Recording(tight);
        for (let seed = 0; seed < 6; seed++) {
          const j = await judgeText(rec, formality, TEXT, { seed, temperature: 1, maxCritiqueChars: 1000 });
          assert.ok(isScore(j.score), JSON.stringify(j));
        }
        // Any answer the context cut off was asked again with a cap that fits what was left.
        for (let i = 0; i < rec.results.length; i++) {
          if (rec.results[i].stopReason !== 'maxTokens') continue;
          assert.ok(
            rec.requests[i + 1].maxTokens! <= rec.results[i].outputTokens,
            'the second request fits the room the first one had',
          );
        }
      } finally {
        await tight.dispose();
      }
    });

    it('stops at once when the signal fires', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(judgeText(engine, formality, TEXT, { signal: ac.signal }), JudgeCancelledError);
    });

    it('loads a second model only when it is first asked (LazyGenerator)', async () => {
      let opened = 0;
      const second = new EngineClient(testEngineOptions({ contextSize: 4096 }));
      const lazy = new LazyGenerator(async () => {
        opened++;
        await second.load(await testModel());
        return { generator: second, name: 'second', dispose: () => second.dispose() };
      });
      try {
        assert.equal(lazy.loaded, false);
        assert.equal(second.pid, undefined, 'no engine process before the first judgement');
        const [a, b] = await Promise.all([
          judgeText(lazy, formality, TEXT, { maxCritiqueChars: 20 }),
          judgeText(lazy, formality, TEXT, { maxCritiqueChars: 20 }),
        ]);
        assert.deepEqual(a, b);
        assert.equal(opened, 1);
        assert.equal(lazy.loaded, true);
        assert.equal(lazy.name, 'second');
      } finally {
        await lazy.dispose();
      }
      assert.equal(second.pid, undefined, 'disposing the lazy judge stops its engine');
    });
  });

  describe('against an OpenAI-compatible endpoint (loopback server)', () => {
    let server: FakeOpenAIServer;
    let baseURL: string;
    beforeEach(async () => {
      server = new FakeOpenAIServer();
      baseURL = await server.start();
    });
    afterEach(async () => server.close());
    const endpoint = () => new EndpointGenerator({ baseURL, model: 'judge-model', apiKey: 'k', maxRetries: 0 });

    it('sends the schema as response_format and reads the answer, even fenced', async () => {
      server.reply = () => '```json\n{"critique": "Very casual: lowercase, abbreviations.", "score": 11}\n```';
      const j = await judgeText(endpoint(), formality, TEXT, { maxCritiqueChars: 100 });
      assert.deepEqual(j, { score: 11, critique: 'Very casual: lowercase, abbreviations.' });
      const body = server.requests.find((r) => r.path.endsWith('/chat/completions'))!.body;
      assert.equal(body.temperature, 0);
      assert.deepEqual(body.response_format.json_schema.schema, judgeSchema(100));
      assert.ok(body.messages[1].content.includes(TEXT));
    });

    it('says what came back when a server ignores the format', async () => {
      server.reply = () => 'This text is rather informal. I would give it a low mark.';
      await assert.rejects(
        judgeText(endpoint(), formality, TEXT),
        (err: unknown) => err instanceof JudgeError && /rather informal/.test(err.message),
      );
    });
  });
});
