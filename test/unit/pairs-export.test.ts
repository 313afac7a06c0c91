import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildPairs,
  exportPairs,
  flatPairsToJsonl,
  formatPairsReport,
  ktoToJsonl,
  pairsToJsonl,
  plannedOutputs,
  testSplitPath,
  writeFileAtomic,
} from '../../src/core/pairs';
import { decide, fixturesDir, rewrite } from '../fixtures/feedback/events';

function sample() {
  return buildPairs([
    rewrite('e', 'note | one', 'model', 4),
    decide('de', 'e', 'edited', 'writer'),
    rewrite('lo', 'x', 'low', 1),
    decide('dlo', 'lo', 'accepted', 'low'),
    rewrite('hi', 'x', 'high', 5),
    decide('dhi', 'hi', 'accepted', 'high'),
    rewrite('k', 'y', 'nope', 2, 'concision'),
    decide('dk', 'k', 'rejected', 'nope'),
    decide('orphan', 'missing', 'accepted', 'z'),
  ]);
}

describe('pairs export and report', () => {
  it('writes TRL conversational preference rows with metadata', () => {
    const result = sample();
    const lines = pairsToJsonl(result.pairs).split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      const row = JSON.parse(line);
      assert.deepEqual(Object.keys(row), ['prompt', 'chosen', 'rejected', 'source', 'rubric', 'level', 'ids']);
      assert.deepEqual(
        row.prompt.map((m: { role: string }) => m.role),
        ['system', 'user'],
      );
      assert.equal(row.chosen[0].role, 'assistant');
      assert.equal(row.rejected[0].role, 'assistant');
    }
  });

  it('writes the flat form as plain strings', () => {
    const result = sample();
    const rows = flatPairsToJsonl(result.pairs)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const edit = rows.find((r) => r.source === 'edit');
    assert.deepEqual(
      { system: typeof edit.system, prompt: edit.prompt, chosen: edit.chosen, rejected: edit.rejected },
      { system: 'string', prompt: 'Rewrite:\nnote | one', chosen: 'writer', rejected: 'model' },
    );
  });

  it('writes KTO rows with a boolean label', () => {
    const rows = ktoToJsonl(sample().unpaired)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((r) => [r.id, r.label, r.completion[0].content]),
      [['k', false, 'nope']],
    );
  });

  it('derives the sibling test file name', () => {
    assert.equal(testSplitPath(path.join('a', 'out.jsonl')), path.join('a', 'out.test.jsonl'));
    assert.equal(testSplitPath('pairs'), 'pairs.test.jsonl');
  });

  it('writeFileAtomic creates folders and replaces the whole file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-pairs-'));
    try {
      const file = path.join(dir, 'sub', 'p.jsonl');
      await writeFileAtomic(file, 'one\ntwo\n');
      await writeFileAtomic(file, 'three\n');
      assert.equal(await fs.readFile(file, 'utf8'), 'three\n');
      assert.deepEqual(await fs.readdir(path.join(dir, 'sub')), ['p.jsonl']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reports pairs by source, by rubric and level, skipped lines, duplicates and orphan decisions', () => {
    const result = sample();
    const md = formatPairsReport({
      logs: [{ file: 'logs/feedback.jsonl', events: 9, skipped: [{ line: 4, reason: 'corrupt JSON: x' }] }],
      result,
      split: { train: 2, test: 1, testFraction: 0.3, seed: 5, groups: 2 },
      outputs: [{ label: 'pairs (train)', path: 'out.jsonl', rows: 2 }],
    });
    assert.match(md, /^# Preference pairs/);
    assert.match(md, /Built \*\*3 pairs\*\*; dropped 0 duplicates/);
    assert.match(md, /\| edit \| 1 \|\n\| regenerate \| 0 \|\n\| contrast \| 2 \|/);
    assert.match(md, /\| formality \| 1 \| 1 \|\n\| formality \| 4 \| 1 \|\n\| formality \| 5 \| 1 \|/);
    assert.match(md, /0 accepted and 1 rejected rewrites formed no pair/);
    assert.match(md, /- `logs\/feedback\.jsonl:4`: corrupt JSON: x/);
    assert.match(md, /decision `orphan` \(accepted\) names rewrite `missing`/);
    assert.match(md, /2 train, 1 test \(requested 0\.3, seed 5/);
    assert.match(md, /- pairs \(train\): `out\.jsonl` \(2 rows\)/);
  });

  it('says None where there is nothing to report', () => {
    const md = formatPairsReport({ logs: [{ file: 'f', events: 0, skipped: [] }], result: buildPairs([]) });
    assert.match(md, /No pairs\./);
    assert.match(md, /## Skipped lines\n\nNone\./);
    assert.match(md, /## Decisions without a rewrite\n\nNone\./);
  });

  it('exportPairs reads logs, writes every output and returns the report (the VS Code command path)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-pairs-'));
    try {
      const options = {
        out: path.join(dir, 'p.jsonl'),
        flat: path.join(dir, 'f.jsonl'),
        kto: path.join(dir, 'k.jsonl'),
        split: { testFraction: 0.4, seed: 2 },
      };
      const planned = plannedOutputs(options);
      assert.deepEqual(
        planned.map((f) => path.basename(f)),
        ['p.jsonl', 'p.test.jsonl', 'f.jsonl', 'f.test.jsonl', 'k.jsonl'],
      );
      const done = await exportPairs({
        logs: [path.join(fixturesDir, 'sample.jsonl'), path.join(dir, 'not-yet.jsonl')],
        ...options,
      });
      assert.deepEqual(done.outputs.map((o) => o.path).sort(), [...planned].sort());
      assert.deepEqual((await fs.readdir(dir)).sort(), planned.map((f) => path.basename(f)).sort());
      const rows = done.outputs.filter((o) => o.label.startsWith('pairs')).reduce((n, o) => n + (o.rows ?? 0), 0);
      assert.equal(rows, done.result.pairs.length);
      assert.match(done.report, /## Files written/);
      assert.deepEqual(
        done.logs.map((l) => l.events),
        [14, 0],
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
