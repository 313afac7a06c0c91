import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  FeedbackLog,
  backupLog,
  createDecisionEvent,
  newEventId,
  readFeedbackLog,
  validateFeedbackEvent,
} from '../../src/core/feedback';
import { decide, fixturesDir, rewrite } from '../fixtures/feedback/events';

describe('feedback log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-feedback-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('event ids and constructors', () => {
    it('newEventId is unique and sorts by creation time', () => {
      const early = newEventId(Date.parse('2026-01-01T00:00:00Z'));
      const late = newEventId(Date.parse('2026-01-01T00:00:01Z'));
      assert.ok(early < late);
      const many = new Set(Array.from({ length: 1000 }, () => newEventId(0)));
      assert.equal(many.size, 1000);
    });

    it('fills v, type, id and time', () => {
      const d = createDecisionEvent({ rewriteId: 'r1', decision: 'accepted', final: 'x' });
      assert.equal(d.v, 1);
      assert.equal(d.type, 'decision');
      assert.match(d.id, /^[0-9a-f]{28}$/);
      assert.ok(!Number.isNaN(Date.parse(d.time)));
    });

    it('refuses an event with a bad field, naming the field', () => {
      assert.throws(
        () => createDecisionEvent({ rewriteId: '', decision: 'accepted', final: 'x' }),
        /rewriteId must not be empty/,
      );
      assert.throws(
        () => createDecisionEvent({ rewriteId: 'r', decision: 'maybe' as 'accepted', final: 'x' }),
        /decision must be one of/,
      );
    });
  });

  describe('validateFeedbackEvent', () => {
    const good = rewrite('r1', 'a', 'b');
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['level out of range', { level: 0 }, /level must be an integer 1-5/],
      ['fractional level', { level: 2.5 }, /level must be an integer 1-5/],
      ['mode', { mode: 'chatty' }, /mode must be one of/],
      ['rubric id', { rubric: { id: '', hash: 'h' } }, /rubric\.id must not be empty/],
      ['rubric object', { rubric: 'formality' }, /rubric must be an object/],
      ['system', { system: 3 }, /system must be a string/],
      ['user', { user: null }, /user must be a string/],
      ['original', { original: undefined }, /original must be a string/],
      ['output', { output: ['x'] }, /output must be a string/],
      ['model.file', { model: { name: 'n' } }, /model\.file must be a string/],
      ['sampling.maxTokens', { sampling: { maxTokens: 1.5 } }, /sampling\.maxTokens must be an integer/],
      ['sampling.temperature', { sampling: { temperature: 'hot' } }, /sampling\.temperature must be a finite number/],
      ['document.languageId', { document: { path: 'p' } }, /document\.languageId must be a string/],
      ['time', { time: 'yesterday' }, /time is not a date/],
      ['id', { id: 7 }, /id must be a string/],
      ['type', { type: 'note' }, /unknown event type/],
      ['missing v', { v: undefined }, /missing or invalid schema version/],
      [
        'model.fingerprint',
        { model: { name: 'n', file: 'f', fingerprint: '' } },
        /model\.fingerprint must not be empty/,
      ],
      ['model.adapters', { model: { name: 'n', file: 'f', adapters: {} } }, /model\.adapters must be a list/],
      [
        'adapter scale',
        { model: { name: 'n', file: 'f', adapters: [{ label: 'a', fingerprint: 'ab', scale: '1' }] } },
        /model\.adapters\[0\]\.scale must be a finite number/,
      ],
      [
        'adapter fingerprint',
        { model: { name: 'n', file: 'f', adapters: [{ label: 'a', scale: 1 }] } },
        /model\.adapters\[0\]\.fingerprint must be a string/,
      ],
    ];
    for (const [name, patch, reason] of bad) {
      it(`rejects a rewrite with a bad ${name}`, () => {
        const result = validateFeedbackEvent({ ...good, ...patch });
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.reason, reason);
      });
    }

    it('accepts both kinds and allows extra keys', () => {
      assert.equal(validateFeedbackEvent(good).ok, true);
      assert.equal(validateFeedbackEvent({ ...decide('d1', 'r1', 'edited', 'c'), extra: 1 }).ok, true);
    });

    it("reads a model's content identity when present and an old event without it", () => {
      const model = {
        name: 'Base',
        file: '/m/base.gguf',
        label: '/m/base.gguf + /m/style-lora.gguf×0.5',
        fingerprint: '0123456789abcdef',
        adapters: [{ label: '/m/style-lora.gguf', fingerprint: 'fedcba9876543210', scale: 0.5 }],
      };
      assert.equal(validateFeedbackEvent({ ...good, model }).ok, true);
      assert.equal(validateFeedbackEvent({ ...good, model: { name: 'Base', file: '/m/base.gguf' } }).ok, true);
    });

    it('refuses a newer schema version with a reason', () => {
      const result = validateFeedbackEvent({ ...good, v: 2 });
      assert.deepEqual(result, { ok: false, reason: 'unsupported schema version v=2 (this version reads v=1)' });
    });
  });

  describe('append', () => {
    it('creates the folder and writes one line per event', async () => {
      const file = path.join(dir, 'nested', 'deeper', 'feedback.jsonl');
      const log = new FeedbackLog(file);
      const r = rewrite('r1', 'line one\nline two', 'out\n');
      await log.append(r);
      await log.append(decide('d1', 'r1', 'accepted', 'out\n'));
      const text = await fs.readFile(file, 'utf8');
      const lines = text.split('\n');
      assert.equal(lines.length, 3);
      assert.equal(lines[2], '');
      assert.deepEqual(JSON.parse(lines[0]), r);
    });

    it('never rewrites what is already there, even a damaged line', async () => {
      const file = path.join(dir, 'feedback.jsonl');
      await fs.writeFile(file, 'not json at all\n');
      await new FeedbackLog(file).append(decide('d1', 'r1', 'rejected', 'x'));
      const text = await fs.readFile(file, 'utf8');
      assert.ok(text.startsWith('not json at all\n'));
      const read = await readFeedbackLog(file);
      assert.equal(read.events.length, 1);
      assert.deepEqual(
        read.skipped.map((s) => s.line),
        [1],
      );
    });

    it('refuses an invalid event and writes nothing', async () => {
      const file = path.join(dir, 'feedback.jsonl');
      const bad = { ...decide('d1', 'r1', 'accepted', 'x'), decision: 'nope' } as unknown as Parameters<
        FeedbackLog['append']
      >[0];
      await assert.rejects(new FeedbackLog(file).append(bad), /cannot log feedback event: .*decision must be one of/);
      await assert.rejects(fs.stat(file), /ENOENT/);
    });
  });

  describe('readFeedbackLog', () => {
    it('treats a missing file as an empty log', async () => {
      assert.deepEqual(await readFeedbackLog(path.join(dir, 'none.jsonl')), { events: [], skipped: [] });
    });

    it('skips and reports corrupt, invalid, future and truncated lines with 1-based line numbers', async () => {
      const read = await readFeedbackLog(path.join(fixturesDir, 'broken.jsonl'));
      assert.deepEqual(
        read.events.map((e) => e.id),
        ['b-1', 'b-d1'],
      );
      assert.deepEqual(
        read.skipped.map((s) => s.line),
        [3, 4, 5, 7],
      );
      assert.match(read.skipped[0].reason, /^corrupt JSON/);
      assert.match(read.skipped[1].reason, /unsupported schema version v=2/);
      assert.match(read.skipped[2].reason, /level must be an integer 1-5/);
      assert.match(read.skipped[3].reason, /^truncated last line/);
    });

    it('keeps a complete last line that only lacks its newline, ignores blank and CRLF endings', async () => {
      const file = path.join(dir, 'f.jsonl');
      const a = rewrite('r1', 'x', 'y');
      const b = decide('d1', 'r1', 'accepted', 'y');
      await fs.writeFile(file, `\uFEFF${JSON.stringify(a)}\r\n\r\n   \n${JSON.stringify(b)}`);
      const read = await readFeedbackLog(file);
      assert.deepEqual(read.events, [a, b]);
      assert.deepEqual(read.skipped, []);
    });

    it('reports a repeated event id and keeps the first', async () => {
      const file = path.join(dir, 'f.jsonl');
      const a = rewrite('r1', 'x', 'y');
      await fs.writeFile(file, `${JSON.stringify(a)}\n${JSON.stringify({ ...a, output: 'z' })}\n`);
      const read = await readFeedbackLog(file);
      assert.equal(read.events.length, 1);
      assert.equal((read.events[0] as typeof a).output, 'y');
      assert.deepEqual(read.skipped, [{ line: 2, reason: 'duplicate event id r1 (first on line 1); counted once' }]);
    });

    it('streams a large log with multi-byte text split across chunks', async () => {
      const file = path.join(dir, 'big.jsonl');
      const log = new FeedbackLog(file);
      const text = 'é漢🙂'.repeat(3000);
      for (let i = 0; i < 40; i++) await log.append(rewrite(`r${i}`, text, text));
      const read = await readFeedbackLog(file);
      assert.equal(read.events.length, 40);
      assert.deepEqual(read.skipped, []);
      assert.equal((read.events[39] as ReturnType<typeof rewrite>).output, text);
    });

    it('throws with the path when the log is a folder', async () => {
      await assert.rejects(readFeedbackLog(dir), (err: Error) => err.message.includes(dir));
    });
  });

  describe('backupLog', () => {
    it('moves the log to a dated backup beside it and never overwrites a backup', async () => {
      const file = path.join(dir, 'feedback.jsonl');
      const when = new Date('2026-11-26T23:40:00.123Z');
      await fs.writeFile(file, 'first\n');
      const b1 = await backupLog(file, when);
      assert.equal(b1, path.join(dir, 'feedback.2026-11-26T23-40-00.jsonl'));
      await fs.writeFile(file, 'second\n');
      const b2 = await backupLog(file, when);
      assert.equal(b2, path.join(dir, 'feedback.2026-11-26T23-40-00-1.jsonl'));
      assert.equal(await fs.readFile(b1!, 'utf8'), 'first\n');
      assert.equal(await fs.readFile(b2!, 'utf8'), 'second\n');
      await assert.rejects(fs.stat(file), /ENOENT/);
    });

    it('returns undefined when there is no log, and appends afterwards start a new file', async () => {
      const file = path.join(dir, 'feedback.jsonl');
      assert.equal(await backupLog(file), undefined);
      const log = new FeedbackLog(file);
      await log.append(rewrite('r1', 'a', 'b'));
      const backup = await backupLog(file);
      await log.append(rewrite('r2', 'a', 'c'));
      assert.deepEqual(
        (await readFeedbackLog(file)).events.map((e) => e.id),
        ['r2'],
      );
      assert.deepEqual(
        (await readFeedbackLog(backup!)).events.map((e) => e.id),
        ['r1'],
      );
    });
  });
});
