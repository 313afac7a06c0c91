// Resume repair over a samples file whose earlier line holds invalid UTF-8: the torn last line is cut by
// its bytes, and the file afterwards is exactly its own first complete lines (no NUL padding, no byte that
// was not in the file).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEvalSamples } from '../../src/core/eval/samples';
import { readSamples } from '../../src/core/generate/samples';
import { cutTornTail } from '../../src/core/jsonl/tail';

describe('resume repair: bytes, not decoded text', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-repair-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Each invalid byte decodes to U+FFFD, three bytes when re-encoded: the old repair measured the text and
  // truncated past the end of the file, padding it with NUL bytes.
  const invalidLine = Buffer.concat([Buffer.from('{"id":"a","text":"'), Buffer.alloc(40, 0xff), Buffer.from('"}\n')]);
  const torn = Buffer.from('{"id":"b","text":"cut off mid-wr');

  for (const [name, read] of [
    ['generate samples', (f: string) => readSamples(f)],
    ['eval samples', (f: string) => readEvalSamples(f, { repair: true })],
  ] as const) {
    it(`${name}: cuts the torn line and writes nothing else`, async () => {
      const file = path.join(dir, `${name.replace(' ', '-')}.jsonl`);
      writeFileSync(file, Buffer.concat([invalidLine, torn]));
      const result = await read(file);
      assert.match(result.repaired ?? '', /cut off mid-write/);
      const after = readFileSync(file);
      assert.equal(after.indexOf(0), -1, 'no NUL byte');
      assert.deepEqual(after, invalidLine);
    });
  }

  it('cutTornTail never makes a file longer and empties one without a line end', async () => {
    const file = path.join(dir, 'plain.jsonl');
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x41]));
    await cutTornTail(file);
    assert.equal(readFileSync(file).length, 0);
    writeFileSync(file, 'x\n');
    await cutTornTail(file);
    assert.equal(readFileSync(file, 'utf8'), 'x\n');
  });
});
