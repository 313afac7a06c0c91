// What the CLI prints from files cannot drive the terminal: escape sequences and control characters in
// rubric file names, YAML keys and ids typed back at us are stripped (src/cli/terminal-text.ts).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminalSafe } from '../../src/cli/terminal-text';
import { validRubricLines } from '../fixtures/rubrics/paths';
import { runCli } from './helpers/run-node';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('terminal-safe CLI output', function () {
  this.timeout(60_000);

  it(
    'terminalSafe removes escape sequences (CSI, OSC, DCS, two-byte) and C0/C1 controls, keeping tabs ' +
      'and newlines',
    () => {
      assert.equal(terminalSafe('a\u001b[31mred\u001b[0m b'), 'ared b');
      assert.equal(terminalSafe('x\u001b]0;window title\u0007y'), 'xy');
      assert.equal(terminalSafe('x\u001b]8;;http://e\u001b\\link\u001b]8;;\u001b\\z'), 'xlinkz');
      assert.equal(terminalSafe('p\u001bPq#0\u001b\\q'), 'pq');
      assert.equal(terminalSafe('c\u001bcd'), 'cd');
      assert.equal(terminalSafe('tab\tnl\nret\rnul\u0000del\u007fc1\u009b\u0085end\u001b'), 'tab\tnl\nretnuldelc1end');
      assert.equal(terminalSafe('plain — text ✓'), 'plain — text ✓');
    },
  );

  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubric-term-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('`rubrics` prints file names and YAML keys from files without their control characters', async () => {
    await fs.writeFile(path.join(dir, '\u001b]0;owned\u0007bad.yaml'), 'id: [\n');
    const lines = validRubricLines('fine');
    lines[1] = 'title: "Two\\nlines"';
    lines.push('"\\e[2J\\e[31mkey": x');
    await fs.writeFile(path.join(dir, 'fine.yaml'), lines.join('\n'));
    const r = await runCli(['rubrics', '--no-builtin', '--dir', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, CONTROL);
    assert.match(r.stdout, /^fine\s+Two lines\s+One \/ Two \/ Three \/ Four \/ Five\n$/);
    assert.match(r.stderr, /bad\.yaml:\d+:\d+: YAML syntax error/);
    assert.match(r.stderr, /fine\.yaml:16:1: warning: unknown key 'key'/);
  });

  it('an unknown rubric id typed with escape sequences is echoed without them', async () => {
    const r = await runCli(['prompt', '--rubric', '\u001b[2J\u001b]0;x\u0007evil', '--level', '3']);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, CONTROL);
    assert.match(r.stderr, /unknown rubric 'evil'/);
  });
});
