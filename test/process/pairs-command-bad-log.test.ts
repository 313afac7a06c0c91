// `cpt-writer pairs` on a log that can hold no events: an empty file, blank lines, or CR-only line endings
// (which read as zero events and used to end in exit 0). Each is a clear error naming the file, exit 1.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../unit/helpers/run-node';

describe('cpt-writer pairs: empty and CR-only logs', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-pairs-bad-log-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const cases: [string, string, RegExp][] = [
    ['empty.jsonl', '', /is empty/],
    ['blank.jsonl', '\n \n\t\n', /only blank lines/],
    ['cr-only.jsonl', '{"v":1,"type":"accept"}\r{"v":1,"type":"reject"}\r', /carriage-return \(CR\) line endings/],
  ];
  for (const [name, content, message] of cases) {
    it(`${name}: exit 1 with a message naming the file`, async () => {
      const log = path.join(dir, name);
      await fs.writeFile(log, content);
      const r = await runCli(['pairs', log, '--out', path.join(dir, `${name}.pairs.jsonl`)], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.includes(name), r.stderr);
    });
  }
});
