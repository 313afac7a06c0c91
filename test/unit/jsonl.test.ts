import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeProblem, parseJsonlLine, readJsonl } from '../../src/core/jsonl/read';

const isPoint = (v: unknown): string | undefined =>
  typeof v === 'object' && v !== null && typeof (v as { x?: unknown }).x === 'number'
    ? undefined
    : '"x" must be a number';

describe('readJsonl (the one JSONL reader)', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-jsonl-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('keeps good lines, reports bad ones as file:line, and ignores blank lines, CRLF and a BOM', async () => {
    const file = path.join(dir, 'a.jsonl');
    await fs.writeFile(file, '\uFEFF{"x":1}\r\n\n{"x":\n{"y":2}\n{"x":3}\u0000\n{"x":4}\n');
    const read = await readJsonl(file, { check: isPoint });
    assert.deepEqual(read.entries, [
      { line: 1, value: { x: 1 } },
      { line: 6, value: { x: 4 } },
    ]);
    assert.deepEqual(
      read.problems.map((p) => [p.line, p.reason.split(':')[0]]),
      [
        [3, 'corrupt JSON'],
        [4, '"x" must be a number'],
        [5, 'corrupt line'],
      ],
    );
    assert.equal(describeProblem(read.problems[1]), `${file}:4: "x" must be a number`);
  });

  it('never changes the file without repairTail, and names a torn last line as asked', async () => {
    const file = path.join(dir, 'b.jsonl');
    const content = '{"x":1}\n{"x":2';
    await fs.writeFile(file, content);
    const plain = await readJsonl(file, { check: isPoint });
    assert.match(plain.problems[0].reason, /^corrupt JSON/);
    const named = await readJsonl(file, { tornLine: 'truncated' });
    assert.match(named.problems[0].reason, /^truncated last line/);
    assert.equal(await fs.readFile(file, 'utf8'), content);
  });

  it('repairTail gives a whole torn last line its newline and cuts off a partial one', async () => {
    const whole = path.join(dir, 'whole.jsonl');
    await fs.writeFile(whole, '{"x":1}\n{"x":2}');
    const a = await readJsonl(whole, { check: isPoint, repairTail: true });
    assert.deepEqual(a.repair, { line: 2, action: 'terminated' });
    assert.equal(a.entries.length, 2);
    assert.equal(await fs.readFile(whole, 'utf8'), '{"x":1}\n{"x":2}\n');

    const cut = path.join(dir, 'cut.jsonl');
    await fs.writeFile(cut, '{"x":1}\n{"é":"ü"}\n{"x":');
    const b = await readJsonl(cut, { check: isPoint, repairTail: true });
    assert.deepEqual(b.repair, { line: 3, action: 'removed' });
    assert.equal(await fs.readFile(cut, 'utf8'), '{"x":1}\n{"é":"ü"}\n');
    assert.deepEqual(
      b.problems.map((p) => p.line),
      [2],
    );

    const nul = path.join(dir, 'nul.jsonl');
    await fs.writeFile(nul, Buffer.concat([Buffer.from('{"x":1}\n'), Buffer.alloc(64)]));
    const c = await readJsonl(nul, { check: isPoint, repairTail: true });
    assert.deepEqual(c.repair, { line: 2, action: 'removed' });
    assert.equal(await fs.readFile(nul, 'utf8'), '{"x":1}\n');
  });

  it('reads a missing file as empty only when told to, and names an unreadable one', async () => {
    const missing = path.join(dir, 'none.jsonl');
    assert.deepEqual(await readJsonl(missing, { missingOk: true }), { entries: [], problems: [], missing: true });
    await assert.rejects(readJsonl(missing, { what: 'log' }), /^Error: cannot read log .*none\.jsonl: .*ENOENT/);
    await assert.rejects(readJsonl(dir, { missingOk: true }), /cannot read .*EISDIR/);
  });

  it('parseJsonlLine tells blank, value and error apart', () => {
    assert.deepEqual(parseJsonlLine('  \r'), { blank: true });
    assert.deepEqual(parseJsonlLine('\uFEFF[1]\r'), { value: [1] });
    assert.ok('error' in parseJsonlLine('{'));
  });
});
