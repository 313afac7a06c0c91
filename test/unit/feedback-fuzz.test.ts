// Seeded fuzz of feedback-log lines: valid events, mutated copies (cut, bytes changed, NULs, invalid
// UTF-8, fields dropped or of the wrong type, repeated ids, deep nesting, a torn last line) and random
// bytes. Whatever the line, reading never throws, every rejected line is reported with its file:line and
// a reason, every untouched event is kept, and an append after the torn tail is read back.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FeedbackLog } from '../../src/core/feedback';
import { formatPairsReport, buildPairs, readLogs } from '../../src/core/pairs';
import { decide, rewrite } from '../fixtures/feedback/events';
import { mulberry32 as rng } from '../../src/core/testmodel';

const PIECES = [
  'plain',
  'é漢🙂',
  '"quoted"',
  'back\\slash',
  'tab\there',
  'line\nbreak',
  '\u2028',
  '<b>x</b>',
  '$x^2$',
  '',
];

function validEvent(r: () => number, id: string, rewriteIds: string[]): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const text = () => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(PIECES)).join(' ');
  if (rewriteIds.length > 0 && r() < 0.4) {
    return { ...decide(id, pick(rewriteIds), pick(['accepted', 'rejected', 'edited'] as const), text()) };
  }
  const e: Record<string, unknown> = {
    ...rewrite(id, text(), text(), (1 + Math.floor(r() * 5)) as 1 | 2 | 3 | 4 | 5, pick(['formality', 'concision'])),
  };
  if (r() < 0.2) e.note = text();
  if (r() < 0.2) e.part = { index: 0, count: 2, group: 'g' };
  return e;
}

type Mutation = (line: Buffer, r: () => number, earlierIds: string[]) => Buffer;
const asJson = (line: Buffer) => JSON.parse(line.toString('utf8')) as Record<string, unknown>;
const MUTATIONS: Record<string, Mutation> = {
  cut: (l, r) => l.subarray(0, Math.floor(r() * l.length)),
  byte: (l, r) => {
    const out = Buffer.from(l);
    const bytes = [0x00, 0xff, 0xc3, 0x22, 0x5c, 0x7b, 0x7d, 0x0d, 0x20, 0x80];
    out[Math.floor(r() * out.length)] = bytes[Math.floor(r() * bytes.length)];
    return out;
  },
  nuls: (l, r) => Buffer.concat([l.subarray(0, Math.floor(r() * l.length)), Buffer.alloc(1 + Math.floor(r() * 2000))]),
  drop: (l, r) => {
    const o = asJson(l);
    const keys = Object.keys(o);
    delete o[keys[Math.floor(r() * keys.length)]];
    return Buffer.from(JSON.stringify(o));
  },
  retype: (l, r) => {
    const o = asJson(l);
    const keys = Object.keys(o);
    const values = [null, 7, -1, 1.5, 'x', [], {}, true, '2026-13-45'];
    o[keys[Math.floor(r() * keys.length)]] = values[Math.floor(r() * values.length)];
    return Buffer.from(JSON.stringify(o));
  },
  repeatId: (l, r, ids) => {
    const o = asJson(l);
    if (ids.length) o.id = ids[Math.floor(r() * ids.length)];
    return Buffer.from(JSON.stringify(o));
  },
  version: (l) => Buffer.from(JSON.stringify({ ...asJson(l), v: 2 })),
  deep: (_l, r) => Buffer.from(`${'['.repeat(1 + Math.floor(r() * 20000))}${']'.repeat(Math.floor(r() * 20000))}`),
  random: (_l, r) =>
    Buffer.from(
      Array.from({ length: Math.floor(r() * 300) }, () => {
        const b = Math.floor(r() * 256);
        return b === 0x0a ? 0x20 : b;
      }),
    ),
  bom: (l) => Buffer.concat([Buffer.from('\uFEFF'), l]),
  crlf: (l) => Buffer.concat([l, Buffer.from('\r')]),
};

describe('feedback log lines (seeded fuzz)', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-fuzz-log-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 100 generated and mutated lines, then an append after a torn tail`, async () => {
      const r = rng(seed);
      const names = Object.keys(MUTATIONS);
      const lines: Buffer[] = [];
      const untouched: string[] = [];
      const ids: string[] = [];
      const rewriteIds: string[] = [];
      for (let i = 0; i < 100; i++) {
        const id = `s${seed}-${i}`;
        const event = validEvent(r, id, rewriteIds);
        let line: Buffer = Buffer.from(JSON.stringify(event));
        if (r() < 0.5) {
          line = MUTATIONS[names[Math.floor(r() * names.length)]](line, r, ids);
        } else {
          untouched.push(id);
        }
        if (event.type === 'rewrite') rewriteIds.push(id);
        ids.push(id);
        lines.push(line);
      }
      // The last line is torn: a crash mid-write left it without its newline.
      const file = path.join(dir, `seed-${seed}.jsonl`);
      const torn = Buffer.from(JSON.stringify(validEvent(r, `s${seed}-torn`, [])));
      await fs.writeFile(
        file,
        Buffer.concat([...lines.flatMap((l) => [l, Buffer.from('\n')]), torn.subarray(0, torn.length - 3)]),
      );
      const appended = rewrite(`s${seed}-after`, 'after the crash', 'kept');
      await new FeedbackLog(file).append(appended);

      const { events, logs } = await readLogs([file]);
      const skipped = logs[0].skipped;
      const keptIds = new Set(events.map((e) => e.id));
      for (const id of untouched) assert.ok(keptIds.has(id), `untouched event ${id} kept`);
      assert.ok(keptIds.has(appended.id), 'the event appended after the torn tail is kept');
      const lineNos = skipped.map((s) => s.line);
      assert.equal(new Set(lineNos).size, lineNos.length, 'each line reported once');
      const blank = (b: Buffer, n: number) => {
        let t = b.toString('utf8');
        if (t.endsWith('\r')) t = t.slice(0, -1);
        if (n === 1 && t.startsWith('\uFEFF')) t = t.slice(1);
        return t.trim() === '';
      };
      const all = [...lines, torn.subarray(0, torn.length - 3), Buffer.from(JSON.stringify(appended))];
      const nonBlank = all.filter((b, i) => !blank(b, i + 1)).length;
      assert.equal(events.length + skipped.length, nonBlank, 'every line is kept or reported');
      for (const s of skipped) {
        assert.ok(s.line >= 1 && s.line <= all.length, `line ${s.line} in range`);
        assert.ok(s.reason.length > 0);
        assert.ok(!blank(all[s.line - 1], s.line), `a reported line ${s.line} is not blank`);
      }
      assert.ok(
        skipped.some((s) => s.line === lines.length + 1),
        'the torn line is reported',
      );
      assert.ok(skipped.length >= 10, `only ${skipped.length} lines rejected: the mutations must bite`);
      const report = formatPairsReport({ logs, result: buildPairs(events) });
      for (const s of skipped) assert.ok(report.includes(`\`${file}:${s.line}\`: `), `report names ${file}:${s.line}`);
    });
  }
});
