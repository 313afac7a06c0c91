// A crash mid-append must cost only the torn line: the appender ends a torn (or NUL-filled) tail before
// writing, and the reader keeps the complete events on both sides of it and reports the torn one.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FeedbackLog, readFeedbackLog } from '../../src/core/feedback';
import { JsonlAppender } from '../../src/core/jsonl/append';
import { readJsonlLines } from '../../src/core/jsonl/lines';
import { readSamples } from '../../src/core/generate';
import { exportPairs, readLogs } from '../../src/core/pairs';
import { decide, rewrite } from '../fixtures/feedback/events';

describe('feedback log durability', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-durable-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a torn tail followed by an append loses nothing: the next event starts on its own line', async () => {
    const file = path.join(dir, 'feedback.jsonl');
    const before = rewrite('r1', 'x', 'y');
    const torn = JSON.stringify(rewrite('r2', 'x', 'z'));
    await fs.writeFile(file, `${JSON.stringify(before)}\n${torn.slice(0, torn.length / 2)}`);
    const after = decide('d1', 'r1', 'accepted', 'y');
    await new FeedbackLog(file).append(after);
    const read = await readFeedbackLog(file);
    assert.deepEqual(read.events, [before, after]);
    assert.equal(read.skipped.length, 1);
    assert.equal(read.skipped[0].line, 2);
    assert.match(read.skipped[0].reason, /corrupt JSON/);
    assert.ok((await fs.readFile(file, 'utf8')).endsWith(`\n${JSON.stringify(after)}\n`));
  });

  it(
    'a NUL-filled tail (after a whole line or a torn one) is ended, reported as corrupt, and the ' + 'append kept',
    async () => {
      for (const [name, tail] of [
        ['whole', '\n'],
        ['torn', '\n{"v":1,"type":"rew'],
      ] as const) {
        const file = path.join(dir, `${name}.jsonl`);
        const first = rewrite(`a-${name}`, 'x', 'y');
        await fs.writeFile(file, Buffer.concat([Buffer.from(`${JSON.stringify(first)}${tail}`), Buffer.alloc(4096)]));
        const next = rewrite(`b-${name}`, 'x', 'w');
        await new FeedbackLog(file).append(next);
        await new FeedbackLog(file).append(decide(`d-${name}`, `b-${name}`, 'accepted', 'w'));
        const read = await readFeedbackLog(file);
        assert.deepEqual(
          read.events.map((e) => e.id),
          [`a-${name}`, `b-${name}`, `d-${name}`],
          name,
        );
        assert.equal(read.skipped.length, 1, name);
        assert.match(read.skipped[0].reason, /NUL bytes/, name);
      }
    },
  );

  it('appends to a file that ends in a newline add nothing else (no blank lines)', async () => {
    const file = path.join(dir, 'f.jsonl');
    const log = new FeedbackLog(file);
    await log.append(rewrite('r1', 'x', 'y'));
    await log.append(decide('d1', 'r1', 'rejected', 'y'));
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
  });

  it('the samples appender (generate and eval) ends a torn tail too, and the reader repairs it first', async () => {
    const file = path.join(dir, 'samples.jsonl');
    await fs.writeFile(file, '{"id":"t1","rubric":"f","level":3,"sample":0,"system":"","user":"u","output":"o","tea');
    const writer = await JsonlAppender.open(file);
    await writer.append({
      id: 't2',
      rubric: 'f',
      level: 3,
      sample: 0,
      system: '',
      user: 'u',
      output: 'o',
      teacher: 't',
    });
    await writer.close();
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    assert.deepEqual(JSON.parse(lines[1]).id, 't2');
    // Torn again mid-line: readSamples cuts it off before the next run appends.
    await fs.appendFile(file, '{"id":"t3","rub');
    const read = await readSamples(file);
    assert.ok(read.samples.has('t2/f/L3/s0'));
    assert.match(read.repaired ?? '', /cut off mid-write/);
  });

  it('reads a huge line and a huge NUL-filled tail in one pass, keeping the events around them', async () => {
    const file = path.join(dir, 'huge.jsonl');
    const big = rewrite('big', 'x', 'y'.repeat(32 * 1024 * 1024));
    const out = await fs.open(file, 'w');
    await out.write(`${JSON.stringify(rewrite('r0', 'x', 'y'))}\n`);
    await out.write(`${JSON.stringify(big)}\n`);
    await out.write(`${JSON.stringify(rewrite('r1', 'x', 'y'))}\n`);
    await out.write(Buffer.alloc(48 * 1024 * 1024));
    await out.close();
    const read = await readFeedbackLog(file);
    assert.deepEqual(
      read.events.map((e) => e.id),
      ['r0', 'big', 'r1'],
    );
    assert.deepEqual(read.skipped, [
      { line: 4, reason: 'corrupt line: NUL bytes (the end of a write a crash left unfinished)' },
    ]);
  });

  it('reports a line over the length limit without keeping it', async () => {
    const file = path.join(dir, 'long.jsonl');
    await fs.writeFile(file, `${'x'.repeat(5000)}\n${JSON.stringify(rewrite('r1', 'x', 'y'))}\n`);
    const lines = [];
    for await (const l of readJsonlLines(file, 1000)) lines.push(l);
    assert.match(lines[0].problem ?? '', /longer than 1000 bytes \(5000 bytes\)/);
    assert.equal(lines[0].text, undefined);
    assert.equal(JSON.parse(lines[1].text!).id, 'r1');
  });
});

describe('several feedback logs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-logs-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('flags an event id already read from an earlier log and counts the event once', async () => {
    const a = path.join(dir, 'backup.jsonl');
    const b = path.join(dir, 'feedback.jsonl');
    const lo = rewrite('lo', 'text', 'low', 1);
    const hi = rewrite('hi', 'text', 'high', 5);
    await fs.writeFile(a, `${JSON.stringify(lo)}\n${JSON.stringify(decide('dlo', 'lo', 'accepted', 'low'))}\n`);
    await fs.writeFile(
      b,
      `${JSON.stringify(hi)}\n${JSON.stringify(lo)}\n${JSON.stringify(decide('dhi', 'hi', 'accepted', 'high'))}\n`,
    );
    const { events, logs } = await readLogs([a, b]);
    assert.deepEqual(
      events.map((e) => e.id),
      ['lo', 'dlo', 'hi', 'dhi'],
    );
    assert.deepEqual(logs[1].skipped, [{ line: 2, reason: `duplicate event id lo (first on ${a}:1); counted once` }]);
    const done = await exportPairs({ logs: [a, b], out: path.join(dir, 'pairs.jsonl') });
    assert.equal(done.result.pairs.length, 2);
    assert.ok(done.report.includes(`\`${b}:2\`: duplicate event id lo (first on ${a}:1)`));
    assert.match(done.report, /Read 4 events from 2 logs; skipped 1 line\./);
  });
});
