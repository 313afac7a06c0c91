import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EndpointGenerator } from '../../src/core/endpoint';
import { TooLongError } from '../../src/core/errors';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../src/core/engine/types';
import {
  GenerateConfigError,
  LEVEL_QUALIFIER,
  parseInput,
  passageId,
  readSamples,
  runGenerate,
  sampleKey,
  studentPrompt,
  swapTrickPairs,
  teacherPrompt,
  type GenerateJudge,
  type GenerateRun,
  type GenerateSample,
  type GenerateTask,
} from '../../src/core/generate';
import { nearestLevel } from '../../src/core/judge';
import { rewritePrompt } from '../../src/core/rewrite';
import { LEVELS, loadRubrics, type Level, type Rubric } from '../../src/core/rubrics';
import { rubricFixturesDir } from '../fixtures/rubrics/paths';
import { FakeOpenAIServer, closedPort, type LoggedRequest } from './helpers/openai-server';

const TEXTS = [
  'The meeting moved to Thursday because the projector is broken.',
  'Please send me the report by Friday so I can review it.',
  'Our new office has a view of the river and a small kitchen.',
];

async function fixtureRubrics(): Promise<{ suspense: Rubric; formality: Rubric }> {
  const { rubrics } = await loadRubrics({ extraDirs: [path.join(rubricFixturesDir, 'valid')] });
  return { suspense: rubrics.find((r) => r.id === 'suspense')!, formality: rubrics.find((r) => r.id === 'formality')! };
}

/** The level a teacher request asks for, read back from its system prompt. */
function levelOf(req: LoggedRequest): number {
  const m = /## The target\n[^\n]*: level (\d) "/.exec(req.body.messages[0].content);
  assert.ok(m, 'a teacher request names its level');
  return Number(m[1]);
}

async function lines(file: string): Promise<GenerateSample[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('generate: input, prompts and pairs', () => {
  it('reads one passage a line, ids from content, a repeated passage once', () => {
    const { tasks, problems, format } = parseInput(`${TEXTS[0]}\n\n${TEXTS[1]}\r\n${TEXTS[0]}\n`, 'texts');
    assert.equal(format, 'lines');
    assert.deepEqual(
      tasks.map((t) => [t.id, t.text, t.line]),
      [
        [passageId(TEXTS[0]), TEXTS[0], 1],
        [passageId(TEXTS[1]), TEXTS[1], 3],
      ],
    );
    assert.deepEqual(problems, [{ line: 4, message: 'the same passage as line 1; used once' }]);
    assert.match(tasks[0].id, /^text-[0-9a-f]{10}$/);
  });

  it('reads JSONL, reporting each malformed line with its number and using the rest', () => {
    const content = [
      '{"id":"a","text":"First passage.\\nWith a second line."}',
      '{"id":"b","text":""}',
      'not json at all',
      '["a list"]',
      '{"text":"no id"}',
      '{"id":"a","text":"again"}',
      '{"id":7,"text":"numeric id"}',
    ].join('\n');
    const { tasks, problems, format } = parseInput(content, 'texts');
    assert.equal(format, 'jsonl');
    assert.deepEqual(
      tasks.map((t) => [t.id, t.text, t.line]),
      [
        ['a', 'First passage.\nWith a second line.', 1],
        ['7', 'numeric id', 7],
      ],
    );
    assert.deepEqual(
      problems.map((p) => p.line),
      [2, 3, 4, 5, 6],
    );
    assert.match(problems[0].message, /"text" must be non-empty text, got empty text/);
    assert.match(problems[1].message, /not valid JSON/);
    assert.match(problems[2].message, /expected a JSON object/);
    assert.match(problems[3].message, /"id" must be a non-empty string or a number, got nothing/);
    assert.match(problems[4].message, /already used on line 1/);
  });

  it('reads --tasks as JSONL with "prompt"', () => {
    const { tasks, problems } = parseInput('{"id":"t1","prompt":"Write a review of a film."}\nplain line\n', 'tasks');
    assert.deepEqual(
      tasks.map((t) => [t.id, t.text]),
      [['t1', 'Write a review of a film.']],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 2);
    assert.deepEqual(parseInput('\n  \n', 'tasks').tasks, []);
  });

  it('the student prompt for a passage is exactly what the extension sends in directive mode', async () => {
    const { formality } = await fixtureRubrics();
    for (const level of LEVELS) {
      for (const languageId of ['plaintext', 'markdown', 'latex']) {
        assert.deepEqual(
          studentPrompt(formality, level, 'texts', TEXTS[0], { languageId }),
          (({ system, user }) => ({ system, user }))(
            rewritePrompt(TEXTS[0], { rubric: formality, level }, 'directive', languageId),
          ),
        );
      }
    }
    const task = studentPrompt(formality, 3, 'tasks', 'Write a short review of a film, focusing on its photography.');
    assert.equal(task.user, 'Write a short review of a film, focusing on its photography.');
    assert.equal(task.system, rewritePrompt('x', { rubric: formality, level: 3 }, 'directive').system);
    assert.equal(studentPrompt(formality, 3, 'texts', 'x', { directive: 'Summarized.' }).system, 'Summarized.');
  });

  it(
    'the teacher prompt holds the whole rubric, the target in words and the task, and asks for the ' + 'output only',
    async () => {
      const { formality } = await fixtureRubrics();
      assert.equal(LEVEL_QUALIFIER[1], 'a very low score');
      assert.equal(LEVEL_QUALIFIER[3], 'a middling score, about 50/100');
      assert.equal(LEVEL_QUALIFIER[5], 'an extremely high score');
      const student = studentPrompt(formality, 5, 'texts', TEXTS[0]);
      const p = teacherPrompt(formality, 5, 'texts', student.user);
      for (const c of formality.criteria) {
        assert.ok(p.system.includes(`${c.name} (weight ${c.weight}%)`));
        for (const d of c.levels) assert.ok(p.system.includes(d), `the teacher sees "${d.slice(0, 30)}…"`);
      }
      assert.ok(p.system.includes(formality.scoring));
      assert.ok(p.system.includes('An extremely high score from this judge: level 5 "Ceremonial"'));
      assert.equal(p.user, student.user, 'the teacher rewrites the very message the student gets');
      assert.match(p.user, /Output only the rewritten text/);
      const t = teacherPrompt(formality, 1, 'tasks', 'Write about rain.');
      assert.ok(t.system.includes('A very low score from this judge: level 1 "Chatty"'));
      assert.match(t.user, /^Write about rain\.\n\nOutput only the text this task asks for/);
    },
  );

  it(
    'the swap trick gives both directions for every two levels, pairing by sample index, skipping ' +
      'identical outputs',
    () => {
      const s = (id: string, level: Level, output: string, sample = 0): GenerateSample => ({
        v: 1,
        id,
        sample,
        rubric: 'r',
        level,
        target: 0,
        qualifier: '',
        system: `sys ${level}`,
        user: `user ${id}`,
        output,
        teacher: 't',
        time: '',
      });
      const { pairs, identical } = swapTrickPairs([
        s('a', 1, 'low'),
        s('a', 3, 'mid'),
        s('a', 5, 'high'),
        s('b', 1, 'same'),
        s('b', 5, 'same'),
        s('a', 1, 'low2', 1),
        s('a', 5, 'high2', 1),
      ]);
      assert.equal(identical, 1);
      assert.equal(pairs.length, 6 + 2);
      for (const p of pairs) {
        const mirror = pairs.find(
          (q) => q.chosen[0].content === p.rejected[0].content && q.rejected[0].content === p.chosen[0].content,
        );
        assert.ok(mirror, 'each pair has its swapped twin');
        assert.equal(p.prompt[0].content, `sys ${p.level}`, "each pair is under the chosen output's own system prompt");
        assert.equal(mirror.prompt[1].content, p.prompt[1].content);
      }
      assert.ok(pairs.every((p) => p.source === 'contrast' && p.ids.length === 2));
      assert.ok(
        !pairs.some((p) => p.chosen[0].content === 'low' && p.rejected[0].content === 'high2'),
        'sample 0 never pairs with sample 1',
      );
    },
  );
});

describe('generate: runs against a loopback endpoint', function () {
  this.timeout(60_000);
  let server: FakeOpenAIServer;
  let dir: string;
  let rubric: Rubric;
  let tasks: GenerateTask[];

  const teacher = (extra: Partial<ConstructorParameters<typeof EndpointGenerator>[0]> = {}) => {
    const generator = new EndpointGenerator({
      baseURL: server.baseUrl,
      model: 'teacher-7b',
      retryDelayMs: 20,
      timeoutMs: 5_000,
      ...extra,
    });
    return { generator, name: generator.name };
  };
  const job = (extra: Partial<GenerateRun> = {}): GenerateRun => ({
    outDir: dir,
    kind: 'texts',
    tasks,
    rubrics: [rubric],
    levels: [1, 3, 5],
    teacher: teacher(),
    ...extra,
  });

  before(async () => {
    rubric = (await fixtureRubrics()).suspense;
    tasks = parseInput(TEXTS.join('\n'), 'texts').tasks;
  });
  beforeEach(async () => {
    server = new FakeOpenAIServer();
    await server.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-generate-'));
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('3 texts × 1 rubric × levels 1,3,5: 9 samples and 18 swap-trick pairs, each output on disk', async () => {
    const outcome = await runGenerate(job({ concurrency: 3 }));
    assert.equal(outcome.status, 'complete');
    assert.equal(server.chats.length, 9);
    const samples = await lines(path.join(dir, 'samples.jsonl'));
    assert.equal(samples.length, 9);
    for (const s of samples) {
      const task = tasks.find((t) => t.id === s.id)!;
      const want = rewritePrompt(task.text, { rubric, level: s.level }, 'directive', 'plaintext');
      assert.equal(s.system, want.system);
      assert.equal(s.user, want.user);
      assert.equal(s.rubric, 'suspense');
      assert.equal(s.teacher, `teacher-7b @ ${server.baseUrl}`);
      assert.equal(s.target, { 1: 10, 3: 50, 5: 90 }[s.level as 1 | 3 | 5]);
      assert.equal(s.qualifier, LEVEL_QUALIFIER[s.level]);
      assert.match(s.output, /^Answer number \d+ from the loopback server\.$/);
    }
    const pairs = (await fs.readFile(path.join(dir, 'pairs.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.equal(pairs.length, 18);
    assert.deepEqual(Object.keys(pairs[0]), ['prompt', 'chosen', 'rejected', 'source', 'rubric', 'level', 'ids']);
    const report = await fs.readFile(path.join(dir, 'report.md'), 'utf8');
    assert.match(report, /\| suspense \| 3 \| 50 \| 3 \| 3 \|/);
    assert.match(report, /Pairs: \*\*18\*\*/);
    // Every teacher request carried the rubric and its level's target.
    assert.deepEqual(server.chats.map(levelOf).sort(), [1, 1, 1, 3, 3, 3, 5, 5, 5]);
  });

  it('gives the same counts through injected 429 and 500', async () => {
    server.script = [
      { status: 429, headers: { 'retry-after': '0.2' }, body: '{"error":{"message":"busy"}}' },
      { status: 500, body: 'oops' },
      { status: 503 },
    ];
    const outcome = await runGenerate(job({ concurrency: 2 }));
    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.present, 9);
    assert.equal(outcome.pairs, 18);
    assert.equal(server.chats.length, 12);
  });

  it('a re-run sends no request for what exists, and makes only what a new level or sample adds', async () => {
    await runGenerate(job());
    assert.equal(server.chats.length, 9);
    const again = await runGenerate(job());
    assert.equal(server.chats.length, 9, 'nothing was asked again');
    assert.equal(again.made, 0);
    assert.equal(again.pairs, 18);
    await runGenerate(job({ levels: [1, 2, 3, 5] }));
    assert.equal(server.chats.length, 12);
    assert.deepEqual(server.chats.slice(9).map(levelOf), [2, 2, 2]);
    const more = await runGenerate(job({ levels: [1, 2, 3, 5], samples: 2 }));
    assert.equal(server.chats.length, 24);
    assert.equal(more.present, 24);
    assert.equal(more.pairs, 2 * 3 * 12);
  });

  it('refuses an out dir made with another configuration, naming what differs, before any request', async () => {
    await runGenerate(job());
    const before = server.chats.length;
    const other = new EndpointGenerator({ baseURL: server.baseUrl, model: 'another-model' });
    await assert.rejects(
      runGenerate(job({ teacher: { generator: other, name: other.name } })),
      (e: unknown) =>
        e instanceof GenerateConfigError &&
        /the teacher: the samples have "teacher-7b @ .*", this run asks for "another-model @ /.test(e.message),
    );
    await assert.rejects(
      runGenerate(job({ sampling: { temperature: 0.2 } })),
      /the temperature: the samples have 0\.7, this run asks for 0\.2/,
    );
    await assert.rejects(runGenerate(job({ summarize: true })), /--summarize/);
    await assert.rejects(runGenerate(job({ languageId: 'markdown' })), /--language: the samples have "plaintext"/);
    const changed: Rubric = {
      ...rubric,
      criteria: rubric.criteria.map((c, i) =>
        i === 0 ? { ...c, weight: c.weight - 10 } : { ...c, weight: c.weight + 10 },
      ),
    };
    await assert.rejects(
      runGenerate(job({ rubrics: [changed] })),
      /the rubric 'suspense' changed since its samples were made/,
    );
    assert.equal(server.chats.length, before, 'no refused run sent a request');
    const jsonlTasks = parseInput(
      TEXTS.map((t, i) => JSON.stringify({ id: `p${i}`, text: t })).join('\n'),
      'texts',
    ).tasks;
    const dir2 = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-generate-'));
    try {
      await runGenerate(job({ outDir: dir2, tasks: jsonlTasks }));
      const afterSecond = server.chats.length;
      const renamed = [{ ...jsonlTasks[0], text: 'A different passage under the same id.' }, ...jsonlTasks.slice(1)];
      await assert.rejects(
        runGenerate(job({ outDir: dir2, tasks: renamed })),
        /p0\/suspense\/L1\/s0 was made from a different text/,
      );
      assert.equal(server.chats.length, afterSecond);
    } finally {
      await fs.rm(dir2, { recursive: true, force: true });
    }
  });

  it('lets a run that made nothing yet be re-run with other settings', async () => {
    const port = await closedPort();
    const down = new EndpointGenerator({ baseURL: `http://127.0.0.1:${port}/v1`, model: 'teacher-7b', maxRetries: 0 });
    const first = await runGenerate(job({ teacher: { generator: down, name: down.name } }));
    assert.equal(first.status, 'stopped');
    assert.equal(first.present, 0);
    const second = await runGenerate(job());
    assert.equal(second.status, 'complete');
    assert.equal(
      JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).teacher,
      `teacher-7b @ ${server.baseUrl}`,
    );
  });

  it(
    'repairs a last line cut off by a kill and makes that one output again; skips a corrupt line with ' + 'a message',
    async () => {
      await runGenerate(job());
      const file = path.join(dir, 'samples.jsonl');
      const text = await fs.readFile(file, 'utf8');
      const cut = text.slice(0, text.length - 30);
      await fs.writeFile(file, cut);
      const repaired = await runGenerate(job());
      assert.equal(server.chats.length, 10);
      assert.equal(repaired.made, 1);
      assert.equal(repaired.present, 9);
      assert.match(
        repaired.notices.join('\n'),
        /samples\.jsonl: line 9 was cut off mid-write \(an interrupted run\); removed it/,
      );
      const ls = (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
      assert.equal(ls.length, 9);
      ls.forEach((l) => JSON.parse(l));
      // A corrupt line in the middle is skipped, reported, and its output made again.
      ls[2] = '{"id": broken';
      await fs.writeFile(file, `${ls.join('\n')}\n`);
      const skipped = await runGenerate(job());
      assert.equal(server.chats.length, 11);
      assert.match(skipped.notices.join('\n'), /samples\.jsonl:3: skipped \(corrupt JSON/);
      assert.equal(skipped.present, 9);
      assert.match(await fs.readFile(path.join(dir, 'report.md'), 'utf8'), /samples\.jsonl:3: skipped/);
    },
  );

  it('stops on a server that goes down, keeping every output made so far, and a re-run finishes the rest', async () => {
    const live = teacher();
    const port = await closedPort();
    const down = new EndpointGenerator({
      baseURL: `http://127.0.0.1:${port}/v1`,
      model: 'teacher-7b',
      maxRetries: 1,
      retryDelayMs: 10,
    });
    let calls = 0;
    // The same server dies after four answers.
    const dying: TextGenerator = {
      generate: (req: GenerateRequest): Promise<GenerateResult> => (++calls <= 4 ? live.generator : down).generate(req),
    };
    const first = await runGenerate(job({ teacher: { generator: dying, name: live.name } }));
    assert.equal(first.status, 'stopped');
    assert.match(
      first.stopReason!,
      new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/v1: connection refused; is the server running\\?`),
    );
    assert.equal(first.present, 4);
    assert.equal((await lines(path.join(dir, 'samples.jsonl'))).length, 4);
    assert.equal(first.pairs, 6, 'pairs from what exists: the first text has all three levels');
    const report = await fs.readFile(path.join(dir, 'report.md'), 'utf8');
    assert.match(report, /stopped early; run the same command again/);
    const second = await runGenerate(job());
    assert.equal(second.status, 'complete');
    assert.equal(server.chats.length, 4 + 5);
    assert.equal(second.pairs, 18);
  });

  it('stops on an HTML page, with the outputs made before it kept', async () => {
    server.hangAfter = undefined;
    server.script = [{ text: 'one' }, { text: 'two' }, { text: 'three' }, { html: true }];
    const outcome = await runGenerate(job());
    assert.equal(outcome.status, 'stopped');
    assert.match(outcome.stopReason!, /answered with an HTML page, not an OpenAI-compatible chat completion/);
    assert.equal(outcome.present, 3);
    assert.equal(server.chats.length, 4);
  });

  it('counts empty answers as failed outputs, stops after five in a row, and keeps the rest', async () => {
    server.script = [
      { text: 'one' },
      { text: 'two' },
      ...Array.from({ length: 10 }, () => ({ emptyChoices: true as const })),
    ];
    const outcome = await runGenerate(job());
    assert.equal(outcome.status, 'stopped');
    assert.equal(outcome.present, 2);
    assert.equal(outcome.failures.length, 5);
    assert.match(outcome.stopReason!, /5 outputs in a row failed; the last: .*answered with no choices/);
    assert.match(await fs.readFile(path.join(dir, 'report.md'), 'utf8'), /answered with no choices/);
  });

  it('no output is retried for ever: after 3 failed attempts over runs it is given up, named and counted', async () => {
    // The teacher answers nothing usable for the second passage: a failure of those outputs only.
    server.reply = (body, n) =>
      body.messages.some((m) => m.content.includes(TEXTS[1])) ? '   ' : `Answer number ${n} from the loopback server.`;
    const first = await runGenerate(job());
    assert.equal(first.status, 'incomplete');
    assert.equal(first.failures.length, 3);
    assert.equal((await runGenerate(job())).status, 'incomplete');
    const third = await runGenerate(job());
    assert.equal(third.status, 'complete');
    assert.deepEqual(third.givenUp.map((g) => [g.what, g.attempts]).sort(), [
      [sampleKey({ id: tasks[1].id, rubric: 'suspense', level: 1, sample: 0 }), 3],
      [sampleKey({ id: tasks[1].id, rubric: 'suspense', level: 3, sample: 0 }), 3],
      [sampleKey({ id: tasks[1].id, rubric: 'suspense', level: 5, sample: 0 }), 3],
    ]);
    assert.equal(third.planned, 6);
    assert.equal(third.present, 6);
    assert.match(third.report, /- Given up: 3 items given up after 3 failed attempts each \(/);
    assert.match(await fs.readFile(third.files.card, 'utf8'), /outputs given up after repeated failures: 3\./);
    const before = server.chats.length;
    const fourth = await runGenerate(job());
    assert.equal(fourth.status, 'complete');
    assert.equal(server.chats.length, before, 'a given-up output is not asked for again');
    assert.equal(fourth.givenUp.length, 3);
  });

  it(
    "the engine's TooLongError for one task skips that task by its numbers, not its wording; the others " + 'are made',
    async () => {
      const endpoint = teacher().generator;
      const long = tasks[1]!;
      const generator: TextGenerator = {
        generate: (req: GenerateRequest): Promise<GenerateResult> =>
          req.user.includes(long.text)
            ? Promise.reject(new TooLongError(5000, 4096, 'a wording no parser would know'))
            : endpoint.generate(req),
      };
      const outcome = await runGenerate(job({ teacher: { generator, name: 'local' } }));
      assert.equal(outcome.stopReason, undefined);
      assert.equal(outcome.present, 6);
      assert.deepEqual(outcome.failures, []);
      assert.deepEqual(outcome.skipped, [{ id: long.id, tokens: 5000, contextSize: 4096 }]);
    },
  );

  it(
    "a server's refusal of one task's prompt as too long for its context skips that task by the numbers it " + 'gave',
    async () => {
      const long = tasks[1]!;
      /** The server refuses the long task's prompt with this error object and answers the others. */
      const refuseLong = (error: Record<string, unknown>) => {
        server.refuse = (body) =>
          body.messages[1]!.content.includes(long.text) ? { status: 400, body: JSON.stringify({ error }) } : undefined;
      };
      // llama.cpp's server: the numbers in fields of its error object.
      refuseLong({
        code: 400,
        message: 'the request exceeds the available context size, try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: 5120,
        n_ctx: 4096,
      });
      const outcome = await runGenerate(job({ concurrency: 2 }));
      assert.equal(outcome.stopReason, undefined, 'one long passage does not stop the run');
      assert.equal(outcome.status, 'complete');
      assert.equal(outcome.present, 6);
      assert.deepEqual(outcome.failures, []);
      assert.deepEqual(outcome.skipped, [{ id: long.id, tokens: 5120, contextSize: 4096 }]);
      assert.match(await fs.readFile(path.join(dir, 'report.md'), 'utf8'), /5120 tokens/);
      // An OpenAI-style server says it in a sentence; a new folder, so the skipped task is asked again.
      refuseLong({
        message:
          "This model's maximum context length is 2048 tokens. However, your messages resulted in 2301 " +
          'tokens. Please reduce the length of the messages.',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      });
      const second = await runGenerate(job({ outDir: path.join(dir, 'openai-style') }));
      assert.equal(second.status, 'complete');
      assert.deepEqual(second.skipped, [{ id: long.id, tokens: 2301, contextSize: 2048 }]);
    },
  );

  it('after Ctrl+C keeps what is finished and reports it cancelled', async () => {
    server.hangAfter = 2;
    const ac = new AbortController();
    const outcome = await runGenerate(
      job({
        signal: ac.signal,
        onProgress: (p) => {
          // Cancel while the third request is in flight (the server leaves it hanging).
          if (p.done === 2) void server.dealtWith((r) => r.answer === 'hang').then(() => ac.abort());
        },
      }),
    );
    assert.equal(outcome.status, 'cancelled');
    assert.equal(outcome.present, 2);
    assert.equal(outcome.failures.length, 0);
    assert.equal(server.chats.length, 3, 'no request after the cancel');
  });

  it(
    '--summarize: the teacher writes a directive per level, the samples use it, and a re-run asks ' + 'nothing',
    async () => {
      server.reply = (body, n) =>
        body.messages[1].content.startsWith('Write the system prompt')
          ? `"Directive ${n}: write in a flat, even way. Reveal everything at once."`
          : `Output ${n}.`;
      const outcome = await runGenerate(job({ summarize: true }));
      assert.equal(outcome.status, 'complete');
      const directives = JSON.parse(await fs.readFile(path.join(dir, 'directives.json'), 'utf8'));
      const levels = directives.rubrics.suspense.levels;
      assert.deepEqual(Object.keys(levels), ['1', '3', '5']);
      for (const l of ['1', '3', '5'])
        assert.match(levels[l], /^Directive \d+: write in a flat, even way\. Reveal everything at once\.$/, 'unquoted');
      const samples = await lines(path.join(dir, 'samples.jsonl'));
      for (const s of samples) assert.equal(s.system, levels[String(s.level)]);
      assert.equal(server.chats.length, 3 + 9);
      await runGenerate(job({ summarize: true }));
      assert.equal(server.chats.length, 12);
    },
  );

  it(
    '--filter keeps only outputs the judge places nearest their own level, and a re-run judges nothing ' + 'twice',
    async () => {
      let judgeCalls = 0;
      const byLevel: Record<number, number> = { 1: 12, 3: 80, 5: 95 };
      const levelByOutput = new Map<string, number>();
      server.reply = (body, n) => {
        const text = `Output ${n}.`;
        levelByOutput.set(text, levelOf({ body } as LoggedRequest));
        return text;
      };
      const judge: GenerateJudge = {
        generator: teacher().generator,
        name: 'judge-x',
        // A judge double: the filter's logic is under test here, not the judge's.
        judgeText: async (_g, _r, text) => {
          judgeCalls++;
          return { score: byLevel[levelByOutput.get(text)!], critique: 'fine' };
        },
        nearestLevel,
      };
      const outcome = await runGenerate(job({ judge, filter: true }));
      assert.equal(outcome.status, 'complete');
      assert.equal(judgeCalls, 9);
      const c = outcome.counts;
      assert.deepEqual(
        c.map((x) => [x.level, x.kept, x.dropped]),
        [
          [1, 3, 0],
          [3, 0, 3],
          [5, 3, 0],
        ],
      );
      assert.equal(outcome.pairs, 6, 'only levels 1 and 5 remain: 3 texts × 2 directions');
      const samples = await lines(path.join(dir, 'samples.jsonl'));
      assert.ok(
        samples.every((s) => s.score === byLevel[s.level] && s.judge === 'judge-x'),
        'every sample line carries its score',
      );
      assert.match(
        await fs.readFile(path.join(dir, 'report.md'), 'utf8'),
        /\| suspense \| 3 \| 50 \| 3 \| 3 \| 3 \| 80\.0 \| 0 \| 3 \|/,
      );
      await runGenerate(job({ judge, filter: true }));
      assert.equal(judgeCalls, 9);
      assert.equal(server.chats.length, 9);
    },
  );

  it('judges outputs made without a judge on a later run, appending the scored line', async () => {
    await runGenerate(job());
    const judge: GenerateJudge = {
      generator: teacher().generator,
      name: 'late-judge',
      judgeText: async () => ({ score: 50, critique: 'ok' }),
      nearestLevel,
    };
    const outcome = await runGenerate(job({ judge }));
    assert.equal(outcome.judged, 9);
    assert.equal(outcome.made, 0);
    assert.equal(server.chats.length, 9);
    const file = path.join(dir, 'samples.jsonl');
    assert.equal((await lines(file)).length, 18);
    const { samples } = await readSamples(file);
    assert.equal(samples.size, 9);
    assert.ok([...samples.values()].every((s) => s.score === 50));
  });

  it('refuses fewer than two levels and an empty task list', async () => {
    await assert.rejects(runGenerate(job({ levels: [3] })), /at least two levels/);
    await assert.rejects(runGenerate(job({ tasks: [] })), /no tasks/);
  });

  it('sample keys name task, rubric, level and sample', () => {
    assert.equal(sampleKey({ id: 'a', rubric: 'r', level: 3, sample: 1 }), 'a/r/L3/s1');
  });
});
