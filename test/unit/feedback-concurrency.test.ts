import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFeedbackLog } from '../../src/core/feedback';
import type { RewriteEvent } from '../../src/core/feedback';
import { repoRoot } from '../fixtures/feedback/events';

// Each writer waits for a shared start time, then fires all its appends at once, so the two
// processes really overlap; outputs of several KB make any interleaving visible as broken JSON.
const WRITER = `
const { FeedbackLog, createRewriteEvent } = require(process.argv[1]);
const [file, tag, count, startAt] = process.argv.slice(2);
const log = new FeedbackLog(file);
const body = tag.repeat(2000 + Math.floor(Math.random() * 4000));
(async () => {
  while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(Array.from({ length: Number(count) }, (_, i) => log.append(createRewriteEvent({
    rubric: { id: 'formality', hash: 'h' }, level: 3, mode: 'directive', system: 's', user: 'u',
    original: tag + ':' + i, output: body, model: { name: 'm', file: 'f' }, sampling: {}, document: { languageId: 'l', path: 'p' },
  }))));
})().catch((err) => { console.error(err); process.exit(1); });
`;

function runWriter(file: string, tag: string, count: number, startAt: number): Promise<number> {
  const modulePath = path.join(repoRoot, 'out', 'src', 'core', 'feedback', 'index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, modulePath, file, tag, String(count), String(startAt)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

describe('feedback log with two writer processes', () => {
  it('loses no event and interleaves no line when two processes append 500 events each at once', async function () {
    this.timeout(60_000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-feedback-conc-'));
    try {
      const file = path.join(dir, 'logs', 'feedback.jsonl');
      const startAt = Date.now() + 1500;
      const codes = await Promise.all([runWriter(file, 'A', 500, startAt), runWriter(file, 'B', 500, startAt)]);
      assert.deepEqual(codes, [0, 0]);

      const text = await fs.readFile(file, 'utf8');
      const lines = text.split('\n');
      assert.equal(lines.pop(), '');
      assert.equal(lines.length, 1000);
      for (const line of lines) JSON.parse(line);

      const read = await readFeedbackLog(file);
      assert.deepEqual(read.skipped, []);
      assert.equal(new Set(read.events.map((e) => e.id)).size, 1000);
      const originals = new Set(read.events.map((e) => (e as RewriteEvent).original));
      for (const tag of ['A', 'B']) for (let i = 0; i < 500; i++) assert.ok(originals.has(`${tag}:${i}`), `missing ${tag}:${i}`);
      for (const e of read.events as RewriteEvent[]) assert.match(e.output, new RegExp(`^${e.original[0]}+$`));
      // Both writers were active in the same stretch of the file, so the test exercised real overlap.
      const firstB = read.events.findIndex((e) => (e as RewriteEvent).original.startsWith('B'));
      const lastA = read.events.map((e) => (e as RewriteEvent).original[0]).lastIndexOf('A');
      assert.ok(firstB < lastA, 'the two writers did not overlap');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
