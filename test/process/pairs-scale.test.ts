// Pairs at scale: a 140k-event log (the spread that overflowed the stack), 2,000 accepted rewrites of one
// text (contrast pairs by the square of the repeats), the cap's balance across level pairs, and the peak
// memory of the CLI on both logs, read from the child's own resource usage (a bound, not a timing).
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateFeedbackEvent } from '../../src/core/feedback';
import type { FeedbackEvent } from '../../src/core/feedback';
import { DEFAULT_CONTRAST_CAP, buildPairs } from '../../src/core/pairs';
import type { PreferencePair } from '../../src/core/pairs';
import { decide, rewrite } from '../fixtures/feedback/events';
import { manyTexts, oneTextRepeated, writeLines } from '../unit/helpers/feedback-logs';
import { runCli } from '../unit/helpers/run-node';

function events(lines: Iterable<string>): FeedbackEvent[] {
  const out: FeedbackEvent[] = [];
  for (const line of lines) {
    const v = validateFeedbackEvent(JSON.parse(line));
    assert.ok(v.ok);
    out.push(v.event);
  }
  return out;
}

/** "1-3" for a pair between levels 1 and 3, from the level each logged output names. */
function levelPair(p: PreferencePair): string {
  const level = (text: string) => Number(/level (\d)/.exec(text)![1]);
  const [a, b] = [level(p.chosen[0].content), level(p.rejected[0].content)].sort();
  return `${a}-${b}`;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

describe('pairs at scale', () => {
  it('caps the contrast pairs of 1,000 accepted rewrites of one text, balanced across the ten level pairs', () => {
    const result = buildPairs(events(oneTextRepeated(1000)));
    assert.equal(result.pairs.length, DEFAULT_CONTRAST_CAP.perGroup);
    assert.ok(result.pairs.every((p) => p.source === 'contrast'));
    const perPair = countBy(result.pairs, levelPair);
    assert.equal(Object.keys(perPair).length, 10);
    assert.ok(
      Object.values(perPair).every((n) => n === 4),
      JSON.stringify(perPair),
    );
    // 200 rewrites per level: 200 × 200 combinations × 2 directions for each of the 10 level pairs.
    assert.equal(result.contrastCapped, 10 * 200 * 200 * 2 - 40);
    assert.equal(result.duplicatesDropped, 0);
    // Capped rewrites had pairs to give: they do not flood the KTO examples.
    assert.deepEqual(result.unpaired, []);
    // The capped pairs still draw on many different rewrites (each combination once).
    assert.equal(new Set(result.pairs.map((p) => `${p.ids[0]}|${p.ids[1]}`)).size, 40);
    assert.equal(
      new Set(result.pairs.flatMap((p) => p.ids.slice(0, 2))).size,
      40,
      'each level pair draws on rewrites of its own',
    );
  });

  it('takes the caps from the options, per level pair and per group', () => {
    const all = events(oneTextRepeated(100, [1, 3, 5]));
    const perLevel = buildPairs(all, { contrastCap: { perGroup: 1000, perLevelPair: 6 } });
    assert.deepEqual(countBy(perLevel.pairs, levelPair), { '1-3': 6, '1-5': 6, '3-5': 6 });
    const perGroup = buildPairs(all, { contrastCap: { perGroup: 8, perLevelPair: 100 } });
    assert.equal(perGroup.pairs.length, 8);
    assert.ok(
      Object.values(countBy(perGroup.pairs, levelPair)).every((n) => n >= 2),
      'every level pair has a turn',
    );
    assert.equal(buildPairs(all, { contrastCap: { perGroup: 0, perLevelPair: 0 } }).pairs.length, 0);
  });

  it('leaves a group under the cap exactly as before (every two levels, both directions)', () => {
    const all = events(oneTextRepeated(5));
    const result = buildPairs(all);
    assert.equal(result.pairs.length, 20);
    assert.equal(result.contrastCapped, 0);
  });

  it(
    'exact repeats at one level are one rewrite, and 2,000 rejections before an acceptance give 2,000 ' +
      'regenerate pairs',
    () => {
      const repeats: FeedbackEvent[] = [];
      for (let i = 0; i < 50; i++)
        repeats.push(rewrite(`lo${i}`, 't', 'same low', 1), decide(`dl${i}`, `lo${i}`, 'accepted', 'same low'));
      repeats.push(rewrite('hi', 't', 'high', 5), decide('dh', 'hi', 'accepted', 'high'));
      const r = buildPairs(repeats);
      assert.equal(r.pairs.length, 2);
      assert.equal(r.contrastCapped, 0);

      const retries: FeedbackEvent[] = [];
      for (let i = 0; i < 2000; i++)
        retries.push(rewrite(`x${i}`, 't', `try ${i}`), decide(`dx${i}`, `x${i}`, 'rejected', `try ${i}`));
      retries.push(rewrite('ok', 't', 'good'), decide('dok', 'ok', 'accepted', 'good'));
      const regen = buildPairs(retries).pairs.filter((p) => p.source === 'regenerate');
      assert.equal(regen.length, 2000);
      assert.ok(regen.every((p) => p.chosen[0].content === 'good'));
    },
  );
});

describe('cpt-writer pairs on large logs (peak memory of the CLI process)', function () {
  this.timeout(180_000);
  const LIMIT_MB = 512;
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-pairs-scale-'));
    // Writes the child's peak resident set size (KB on Linux, as process.resourceUsage reports it) when it exits.
    await fs.writeFile(
      path.join(dir, 'max-rss.js'),
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.CPT_MAX_RSS_FILE, " +
        'String(process.resourceUsage().maxRSS)));\n',
    );
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function pairsPeakMb(log: string, out: string): Promise<{ mb: number; stdout: string }> {
    const rssFile = path.join(dir, `${out}.rss`);
    const run = await runCli(['pairs', log, '--out', out, '--kto', `${out}.kto`], {
      cwd: dir,
      timeoutMs: 170_000,
      env: { NODE_OPTIONS: `--require ${path.join(dir, 'max-rss.js')}`, CPT_MAX_RSS_FILE: rssFile },
    });
    assert.equal(run.code, 0, run.stderr);
    const mb = Number(await fs.readFile(rssFile, 'utf8')) / 1024;
    console.log(`      peak RSS of \`cpt-writer pairs ${path.basename(log)}\`: ${mb.toFixed(0)} MB`);
    return { mb, stdout: run.stdout };
  }

  it(
    'builds pairs from a 140,000-event log (a spread of its events overflowed the stack) in bounded ' + 'memory',
    async () => {
      const log = path.join(dir, 'many.jsonl');
      await writeLines(log, manyTexts(35_000));
      const { mb, stdout } = await pairsPeakMb(log, 'many.pairs.jsonl');
      assert.match(stdout, /Read 140000 events from 1 log; skipped 0 lines\./);
      assert.match(stdout, /Built \*\*70000 pairs\*\*/);
      const lines = (await fs.readFile(path.join(dir, 'many.pairs.jsonl'), 'utf8')).split('\n');
      assert.equal(lines.length, 70_001);
      assert.ok(mb < LIMIT_MB, `peak RSS ${mb.toFixed(0)} MB`);
    },
  );

  it(
    'builds pairs from 2,000 accepted rewrites of one text (was ~3.2M contrast pairs, a V8 out-of-memory ' + 'abort)',
    async () => {
      const log = path.join(dir, 'repeat.jsonl');
      await writeLines(log, oneTextRepeated(2000));
      const { mb, stdout } = await pairsPeakMb(log, 'repeat.pairs.jsonl');
      assert.match(stdout, /Built \*\*40 pairs\*\*/);
      assert.match(
        stdout,
        /Contrast pairs capped: 3199960 not made \(at most 40 per text and rubric, 8 per two levels/,
      );
      assert.ok(mb < LIMIT_MB, `peak RSS ${mb.toFixed(0)} MB`);
    },
  );

  it('refuses a cap that is not a whole number', async () => {
    const log = path.join(dir, 'tiny.jsonl');
    await writeLines(log, oneTextRepeated(8, [1, 5]));
    const run = await runCli(['pairs', log, '--out', 'x.jsonl', '--max-contrast-per-text', '2.5'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--max-contrast-per-text must be a whole number \(0 or more\), got '2.5'/);
    const ok = await runCli(['pairs', log, '--out', 'x.jsonl', '--max-contrast-per-level-pair', '2'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Built \*\*2 pairs\*\*/);
    assert.match(ok.stdout, /Contrast pairs capped: 30 not made \(at most 40 per text and rubric, 2 per two levels/);
  });
});
