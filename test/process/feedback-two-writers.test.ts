import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFeedbackLog } from '../../src/core/feedback';
import type { RewriteEvent } from '../../src/core/feedback';
import { repoRoot } from '../fixtures/feedback/events';

// Each writer loads the module, says "ready", and waits for "go" on stdin, then fires half its appends at
// once; before the second half it waits until the other writer's lines are in the file, so the two
// processes really overlap even on a loaded machine. Outputs of several KB make any interleaving visible
// as broken JSON.
const WRITER = `
const fs = require('node:fs');
const { FeedbackLog, createRewriteEvent } = require(process.argv[1]);
const [file, tag, other, count] = process.argv.slice(2);
const log = new FeedbackLog(file);
const body = tag.repeat(2000 + Math.floor(Math.random() * 4000));
const append = (i) => log.append(createRewriteEvent({
  rubric: { id: 'formality', hash: 'h' }, level: 3, mode: 'directive', system: 's', user: 'u',
  original: tag + ':' + i, output: body, model: { name: 'm', file: 'f' }, sampling: {},
  document: { languageId: 'l', path: 'p' },
}));
const half = Math.floor(Number(count) / 2);
const seen = () => {
  try { return fs.readFileSync(file, 'utf8').includes('"original":"' + other + ':'); } catch { return false; } };
(async () => {
  process.stdout.write('ready\\n');
  await new Promise((r) => process.stdin.once('data', r));
  process.stdin.pause();
  await Promise.all(Array.from({ length: half }, (_, i) => append(i)));
  while (!seen()) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(Array.from({ length: Number(count) - half }, (_, i) => append(half + i)));
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface Writer {
  ready: Promise<void>;
  done: Promise<number>;
  go(): void;
}

function startWriter(file: string, tag: string, other: string, count: number): Writer {
  const modulePath = path.join(repoRoot, 'out', 'src', 'core', 'feedback', 'index.js');
  const child = spawn(process.execPath, ['-e', WRITER, modulePath, file, tag, other, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

/** Runs both writers into a fresh log; returns whether their lines ended up interleaved in the file. */
async function appendFromTwoProcesses(file: string): Promise<boolean> {
  const writers = [startWriter(file, 'A', 'B', 500), startWriter(file, 'B', 'A', 500)];
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.go();
  assert.deepEqual(await Promise.all(writers.map((w) => w.done)), [0, 0]);

  const text = await fs.readFile(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  // A writer that checks the tail while the other's write is still landing sees no final '\n' and puts
  // one in front of its own line (core/jsonl/append.ts): at worst a blank line, which readers skip.
  const lines = text.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1000);
  for (const line of lines) JSON.parse(line);

  const read = await readFeedbackLog(file);
  assert.deepEqual(read.skipped, []);
  assert.equal(new Set(read.events.map((e) => e.id)).size, 1000);
  const originals = new Set(read.events.map((e) => (e as RewriteEvent).original));
  for (const tag of ['A', 'B'])
    for (let i = 0; i < 500; i++) assert.ok(originals.has(`${tag}:${i}`), `missing ${tag}:${i}`);
  for (const e of read.events as RewriteEvent[]) assert.match(e.output, new RegExp(`^${e.original[0]}+$`));
  const tags = read.events.map((e) => (e as RewriteEvent).original[0]);
  const firstB = tags.indexOf('B');
  const firstA = tags.indexOf('A');
  return tags.lastIndexOf('A') > firstB && tags.lastIndexOf('B') > firstA;
}

describe('feedback log with two writer processes', () => {
  it('loses no event and interleaves no line when two processes append 500 events each at once', async function () {
    this.timeout(60_000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-feedback-conc-'));
    try {
      assert.ok(await appendFromTwoProcesses(path.join(dir, 'feedback.jsonl')), 'the two writers overlapped');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
