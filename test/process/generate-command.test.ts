import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rubricFixturesDir } from '../fixtures/rubrics/paths';
import { FakeOpenAIServer, closedPort, type LoggedRequest } from '../unit/helpers/openai-server';
import { CLI_MAIN, runCli, runNode, type NodeRun } from '../unit/helpers/run-node';
import { fingerprintFile } from '../../src/core/engine';
import { testModels } from '../unit/helpers/test-models';

const TEXTS = [
  'The meeting moved to Thursday because the projector is broken.',
  'Please send me the report by Friday so I can review it.',
  'Our new office has a view of the river and a small kitchen.',
];
const RUBRICS = ['--rubric', 'suspense', '--dir', path.join(rubricFixturesDir, 'valid')];
const LOCAL = ['--threads', '1', '--gpu', 'off', '--context-size', '4096'];

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<NodeRun> {
  return runCli(['generate', ...args], { cwd, env, timeoutMs: 120_000 });
}

async function jsonl(file: string): Promise<Record<string, unknown>[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function lineCount(file: string): Promise<number> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** The (passage, level) a teacher request asks for. */
function outputOf(req: LoggedRequest): string {
  const level = /## The target\n[^\n]*: level (\d) "/.exec(req.body.messages[0].content)?.[1];
  const text = TEXTS.find((t) => req.body.messages[1].content.includes(t));
  assert.ok(level && text);
  return `${text}|${level}`;
}

describe('cpt-writer generate (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let server: FakeOpenAIServer;
  let texts: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-generate-cli-'));
    texts = path.join(dir, 'texts.txt');
    await fs.writeFile(texts, `${TEXTS.join('\n')}\n`);
    server = new FakeOpenAIServer();
    await server.start();
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const endpoint = () => ['--teacher', server.baseUrl, '--teacher-model', 'teacher-7b'];

  it(
    'with a generated local model: 3 texts × 1 rubric × levels 1,3,5 write 9 samples and 18 swap-trick ' + 'pairs',
    async () => {
      const { tiny } = await testModels();
      const run = await cli(
        [
          ...RUBRICS,
          '--texts',
          texts,
          '--teacher',
          tiny,
          '--levels',
          '1,3,5',
          '--max-tokens',
          '16',
          '--seed',
          '3',
          '--flat',
          'flat.jsonl',
          '--out',
          'out',
          ...LOCAL,
        ],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      const samples = await jsonl(path.join(dir, 'out', 'samples.jsonl'));
      assert.equal(samples.length, 9);
      assert.ok(
        samples.every(
          (s) => typeof s.output === 'string' && s.output && /random-weight test model/.test(String(s.teacher)),
        ),
      );
      // A random-weight model at temperature 0.7 can write the same text at two levels, and identical
      // outputs make no pair: 18 when all differ, two fewer for each level pair with equal outputs. Outputs
      // cut off at the 16-token limit are left out of the pairs unless --keep-truncated.
      const expectedPairs = (keepTruncated: boolean) => {
        const byText = new Map<string, string[]>();
        for (const s of samples)
          if (keepTruncated || !s.truncated)
            byText.set(String(s.id), [...(byText.get(String(s.id)) ?? []), String(s.output)]);
        let n = 0;
        for (const outs of byText.values())
          for (let i = 0; i < outs.length; i++)
            for (let j = i + 1; j < outs.length; j++) if (outs[i] !== outs[j]) n += 2;
        return n;
      };
      const truncated = samples.filter((s) => s.truncated).length;
      assert.ok(truncated > 0, 'a random model runs into a 16-token limit');
      const expected = expectedPairs(false);
      assert.equal((await jsonl(path.join(dir, 'out', 'pairs.jsonl'))).length, expected);
      assert.equal((await jsonl(path.join(dir, 'flat.jsonl'))).length, expected);
      assert.match(run.stdout, /samples\.jsonl: 9 of 9 outputs \(9 made now\)/);
      assert.match(run.stdout, new RegExp(`pairs\\.jsonl: ${expected} pairs`));
      assert.match(
        run.stdout,
        new RegExp(
          `${truncated} outputs? stopped at the token limit: left out of the pairs \\(--keep-truncated keeps them\\)`,
        ),
      );
      assert.match(
        await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8'),
        new RegExp(`Truncated \\(stopped at the token limit\\): ${truncated} outputs?, left out of the pairs`),
      );
      // Run again with --keep-truncated: nothing is made again, and the cut-off outputs are paired too.
      const kept = await cli(
        [
          ...RUBRICS,
          '--texts',
          texts,
          '--teacher',
          tiny,
          '--levels',
          '1,3,5',
          '--max-tokens',
          '16',
          '--seed',
          '3',
          '--keep-truncated',
          '--test-split',
          '0.3',
          '--out',
          'out',
          ...LOCAL,
        ],
        dir,
      );
      assert.equal(kept.code, 0, kept.stderr);
      assert.match(kept.stdout, /9 of 9 outputs \(0 made now\)/);
      assert.ok(
        expectedPairs(true) >= 6,
        `most outputs should differ: ${JSON.stringify(samples.map((s) => s.output))}`,
      );
      const train = await jsonl(path.join(dir, 'out', 'pairs.jsonl'));
      const test = await jsonl(path.join(dir, 'out', 'pairs.test.jsonl'));
      assert.equal(train.length + test.length, expectedPairs(true));
      assert.ok(train.length > 0 && test.length > 0, `${train.length} train, ${test.length} test`);
      // The dataset card: splits a hub reads, counts per rubric × level, the teacher with its fingerprint.
      const card = await fs.readFile(path.join(dir, 'out', 'README.md'), 'utf8');
      assert.match(card, /^---\nlicense: other\ntask_categories:\n {2}- text-generation\n/);
      assert.match(
        card,
        /- split: train\n {8}path: "pairs\.jsonl"\n {6}- split: test\n {8}path: "pairs\.test\.jsonl"\n---/,
      );
      assert.ok(card.includes(`(fingerprint ${(await fingerprintFile(tiny)).fingerprint})`), card);
      assert.ok(card.includes(`- Pairs: ${train.length} train, ${test.length} test.`), card);
      for (const level of [1, 3, 5])
        assert.match(card, new RegExp(`\\| suspense \\| ${level} \\| 3 \\| \\d \\| 3 \\|`));
      assert.ok(card.includes(`${truncated} stopped at the token limit (kept in the pairs)`), card);
      assert.match(run.stderr, /note: CPT Writer random-weight test model has random weights/);
      assert.match(await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8'), /Status: \*\*complete/);
    },
  );

  it('with a local judge and --filter: every output scored, the pairs only between kept outputs', async () => {
    const { tiny } = await testModels();
    const run = await cli(
      [
        ...RUBRICS,
        '--texts',
        texts,
        '--teacher',
        tiny,
        '--judge-model',
        tiny,
        '--filter',
        // This test is about the filter: outputs cut off at 12 tokens are paired too.
        '--keep-truncated',
        '--max-tokens',
        '12',
        '--out',
        'out',
        ...LOCAL,
      ],
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    const samples = await jsonl(path.join(dir, 'out', 'samples.jsonl'));
    assert.equal(samples.length, 9);
    assert.ok(
      samples.every(
        (s) =>
          Number.isInteger(s.score) &&
          (s.score as number) >= 0 &&
          (s.score as number) <= 100 &&
          typeof s.critique === 'string',
      ),
    );
    const kept = new Set(
      samples
        // Kept: strictly nearer its own level's target than any other's (a tie is not a hit).
        .filter((s) => {
          const d = (l: number) => Math.abs((s.score as number) - (l * 20 - 10));
          return [1, 3, 5].every((l) => l === s.level || d(s.level as number) < d(l));
        })
        .map((s) => `${s.id}/suspense/L${s.level}/s0`),
    );
    const pairs = await jsonl(path.join(dir, 'out', 'pairs.jsonl'));
    assert.ok(
      pairs.every((p) => (p.ids as string[]).every((id) => kept.has(id))),
      'no pair uses a dropped output',
    );
    const report = await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8');
    const rows = [...report.matchAll(/\| suspense \| (\d) \| \d+ \| 3 \| 3 \| 3 \| [\d.]+ \| (\d) \| (\d) \|/g)];
    assert.equal(rows.length, 3, report);
    assert.equal(
      rows.reduce((n, r) => n + Number(r[2]), 0),
      kept.size,
    );
    assert.ok(rows.every((r) => Number(r[2]) + Number(r[3]) === 3));
  });

  it('against a loopback endpoint with injected 429 and 500: the same counts', async () => {
    server.script = [
      { status: 429, headers: { 'retry-after': '1' }, body: '{"error":{"message":"rate limited"}}' },
      { status: 500, body: 'boom' },
    ];
    const run = await cli([...RUBRICS, '--texts', texts, ...endpoint(), '--concurrency', '2', '--out', 'out'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await jsonl(path.join(dir, 'out', 'samples.jsonl'))).length, 9);
    assert.equal((await jsonl(path.join(dir, 'out', 'pairs.jsonl'))).length, 18);
    assert.deepEqual(
      server.chats
        .slice(0, 2)
        .map((c) => c.answer)
        .sort(),
      ['status 429', 'status 500'],
    );
    assert.equal(server.chats.length, 11);
    assert.match(run.stderr, /answered 429: rate limited; retry 1 of 4 in 1\.0 s/);
  });

  it('killed after some outputs and re-run, it sends no request for an output it already has', async () => {
    server.hangAfter = 4;
    const out = path.join(dir, 'out');
    const samplesFile = path.join(out, 'samples.jsonl');
    const child = spawn(
      process.execPath,
      [CLI_MAIN, 'generate', ...RUBRICS, '--texts', texts, ...endpoint(), '--concurrency', '1', '--out', out],
      { cwd: dir },
    );
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    const t0 = Date.now();
    while ((await lineCount(samplesFile)) < 4) {
      assert.ok(Date.now() - t0 < 30_000, 'four outputs within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const have = (await jsonl(samplesFile)).map((s) => `${TEXTS.find((t) => String(s.user).includes(t))}|${s.level}`);
    assert.equal(have.length, 4);
    const firstRun = server.chats.length;
    server.hangAfter = undefined;
    const run = await cli([...RUBRICS, '--texts', texts, ...endpoint(), '--out', out], dir);
    assert.equal(run.code, 0, run.stderr);
    const asked = server.chats.slice(firstRun).map(outputOf);
    assert.equal(asked.length, 5);
    for (const a of asked) assert.ok(!have.includes(a), `asked again for ${a}`);
    assert.equal((await jsonl(samplesFile)).length, 9);
    assert.equal((await jsonl(path.join(out, 'pairs.jsonl'))).length, 18);
  });

  it('reads the key only from the named variable, and never prints or stores it', async () => {
    const key = 'sk-live-ABCDEF0123456789';
    const missing = await cli(
      [...RUBRICS, '--texts', texts, ...endpoint(), '--api-key-env', 'CPT_TEST_KEY', '--out', 'out'],
      dir,
      { CPT_TEST_KEY: '' },
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the environment variable CPT_TEST_KEY named by --api-key-env is not set/);
    assert.equal(server.chats.length, 0);
    // A server that echoes the key in an error and in an answer.
    server.script = [{ status: 500, body: JSON.stringify({ error: { message: `bad auth ${key}` } }) }];
    server.reply = (_b, n) => `Answer ${n} with ${key} inside.`;
    const run = await cli(
      [...RUBRICS, '--texts', texts, ...endpoint(), '--api-key-env', 'CPT_TEST_KEY', '--out', 'out', '--verbose'],
      dir,
      { CPT_TEST_KEY: key },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(server.chats.every((c) => c.authorization === `Bearer ${key}`));
    assert.match(run.stderr, /bad auth \[redacted\]/);
    for (const text of [
      run.stdout,
      run.stderr,
      ...(await Promise.all(
        ['samples.jsonl', 'pairs.jsonl', 'report.md', 'config.json'].map((f) =>
          fs.readFile(path.join(dir, 'out', f), 'utf8'),
        ),
      )),
    ]) {
      assert.ok(!text.includes(key), 'the key leaked');
    }
  });

  it('unknown rubric, empty input, malformed JSONL lines: clear errors, the good lines used', async () => {
    const unknown = await cli(['--rubric', 'no-such-style', '--texts', texts, ...endpoint(), '--out', 'out'], dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown rubric 'no-such-style'; known rubrics: .*formality/);
    const empty = path.join(dir, 'empty.txt');
    await fs.writeFile(empty, '\n\n');
    const none = await cli([...RUBRICS, '--texts', empty, ...endpoint(), '--out', 'out'], dir);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nothing to generate: .*empty\.txt has no usable passages \(it is empty\)/);
    const tasks = path.join(dir, 'tasks.jsonl');
    await fs.writeFile(
      tasks,
      [
        '{"id":"r1","prompt":"Write a short review of a film you like."}',
        '{"id":"r2","prompt":',
        '{"id":"r3"}',
        '{"id":"r4","prompt":"Describe a rainy street."}',
      ].join('\n'),
    );
    const run = await cli([...RUBRICS, '--tasks', tasks, ...endpoint(), '--out', 'out'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /tasks\.jsonl:2: not valid JSON/);
    assert.match(run.stderr, /tasks\.jsonl:3: "prompt" must be non-empty text, got nothing/);
    const samples = await jsonl(path.join(dir, 'out', 'samples.jsonl'));
    assert.equal(samples.length, 6);
    assert.deepEqual([...new Set(samples.map((s) => s.user))].sort(), [
      'Describe a rainy street.',
      'Write a short review of a film you like.',
    ]);
    assert.match(await fs.readFile(path.join(dir, 'out', 'report.md'), 'utf8'), /tasks\.jsonl:2: not valid JSON/);
    assert.equal(server.chats.length, 6);
    const bad = await cli([...RUBRICS, '--texts', texts, '--tasks', tasks, ...endpoint(), '--out', 'out'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /give --texts or --tasks, not both/);
    const noModel = await cli([...RUBRICS, '--texts', texts, '--teacher', server.baseUrl, '--out', 'o2'], dir);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /give the model it serves with --teacher-model NAME/);
  });

  it('an endpoint that is down, returns HTML or an empty choice: a clear error, and what was made stays', async () => {
    const down = await cli(
      [
        ...RUBRICS,
        '--texts',
        texts,
        '--teacher',
        `http://127.0.0.1:${await closedPort()}/v1`,
        '--teacher-model',
        'm',
        '--retries',
        '0',
        '--out',
        'out',
      ],
      dir,
    );
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /stopped: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: connection refused; is the server running\?/,
    );
    assert.match(down.stderr, /0 of 9 outputs are saved/);
    server.script = [{ text: 'one' }, { text: 'two' }, { html: true }];
    const html = await cli([...RUBRICS, '--texts', texts, ...endpoint(), '--concurrency', '1', '--out', 'out2'], dir);
    assert.equal(html.code, 1);
    assert.match(
      html.stderr,
      new RegExp(
        String.raw`stopped: teacher-7b @ http:\/\/127\.0\.0\.1:\d+\/v1 answered ` +
          String.raw`with an HTML page, not an OpenAI-compatible chat completion`,
      ),
    );
    assert.equal(await lineCount(path.join(dir, 'out2', 'samples.jsonl')), 2);
    server.script = [{ emptyChoices: true }];
    const empty = await cli([...RUBRICS, '--texts', texts, ...endpoint(), '--concurrency', '1', '--out', 'out2'], dir);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /answered with no choices/);
    assert.match(empty.stderr, /1 of 9 outputs failed .*run the same command again to retry them/);
    assert.equal(await lineCount(path.join(dir, 'out2', 'samples.jsonl')), 8, 'the two from before and six new ones');
  });

  it('refuses an out dir holding samples of another configuration, saying why', async () => {
    const first = await cli([...RUBRICS, '--texts', texts, ...endpoint(), '--out', 'out'], dir);
    assert.equal(first.code, 0, first.stderr);
    const other = await cli(
      [
        ...RUBRICS,
        '--texts',
        texts,
        '--teacher',
        server.baseUrl,
        '--teacher-model',
        'other-model',
        '--temperature',
        '0.3',
        '--out',
        'out',
      ],
      dir,
    );
    assert.equal(other.code, 1);
    assert.match(other.stderr, /out holds samples of a different configuration/);
    assert.match(other.stderr, /- the teacher: the samples have "teacher-7b @ /);
    assert.match(other.stderr, /- the temperature: the samples have 0\.7, this run asks for 0\.3/);
    assert.equal(server.chats.length, 9);
  });
});

describe('cpt-writer generate --help', () => {
  it('documents the endpoint and key options', async () => {
    const run = await runNode(CLI_MAIN, ['generate', '--help']);
    assert.equal(run.code, 0);
    for (const flag of [
      '--teacher-model',
      '--api-key-env',
      '--summarize',
      '--judge-model',
      '--filter',
      '--concurrency',
      '--flat',
    ])
      assert.ok(run.stdout.includes(flag), flag);
  });
});
