import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_IMPORT_LEVEL_NAMES, formatProblem, importCptTable, loadRubrics, parseCptTable } from '../../src/core/rubrics';
import { parseTsv } from '../../src/core/rubrics/import-cpt';
import { rubricFixturesDir } from '../fixtures/rubrics/paths';

const tableFile = path.join(rubricFixturesDir, 'cpt', 'guidance.tsv');

function row(name: string, best: string, weight: string): string {
  return [name, `${best} 5`, `${best} 4`, `${best} 3`, `${best} 2`, `${best} 1`, weight].join('\t');
}

describe('rubrics: CPT table import', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-import-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('round-trips the fixture table into YAML that loadRubrics accepts, best column = level 5', async () => {
    const text = await fs.readFile(tableFile, 'utf8');
    const result = importCptTable(text, { id: 'guidance', title: 'Reader guidance', summary: 'How well the text guides its reader.', file: tableFile });
    assert.deepEqual(result.problems, []);
    assert.ok(result.yaml);
    await fs.writeFile(path.join(dir, 'guidance.yaml'), result.yaml);
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
    assert.deepEqual(problems.map(formatProblem), []);
    assert.equal(rubrics.length, 1);
    const r = rubrics[0];
    assert.equal(r.id, 'guidance');
    assert.equal(r.title, 'Reader guidance');
    assert.equal(r.summary, 'How well the text guides its reader.');
    // The header's names, best → worst, become level 5 → 1.
    assert.deepEqual(r.levels, ['Lost', 'Off Track', 'Mixed', 'Close', 'Spot On']);
    assert.deepEqual(r.criteria.map((c) => [c.name, c.weight]), [['Signposting', 40], ['Examples', 35], ['Reader questions', 25]]);
    assert.match(r.criteria[0].levels[4], /^Every paragraph opens by saying where it is going/);
    assert.equal(r.criteria[0].levels[0], 'No signposts; ideas appear in no visible order.');
    // A quoted cell keeps its doubled quotes as single quotes.
    assert.equal(r.criteria[2].levels[4], `Anticipates the reader's "why?" and answers it before it is asked.`);
    assert.ok(r.scoring.length > 0);
    assert.deepEqual(r.directives, {});
    // The emitted YAML hashes the same as the importer's own validated copy.
    assert.equal(r.hash, result.rubric?.hash);
  });

  it('uses --levels over the header, and the defaults without a header', () => {
    const body = [row('A', 'alpha', '50%'), row('B', 'beta', '50')].join('\n');
    const plain = importCptTable(body, { id: 'x', title: 'X' });
    assert.deepEqual(plain.rubric?.levels, [...DEFAULT_IMPORT_LEVEL_NAMES]);
    assert.equal(plain.rubric?.criteria[0].levels[4], 'alpha 5');
    assert.equal(plain.rubric?.criteria[0].levels[0], 'alpha 1');
    const named = importCptTable(body, { id: 'x', title: 'X', levels: ['v', 'w', 'x', 'y', 'z'] });
    assert.deepEqual(named.rubric?.levels, ['v', 'w', 'x', 'y', 'z']);
    assert.match(named.rubric?.summary ?? '', /^X/);
  });

  it('reports rows with the wrong number of cells and bad weights at their cells', () => {
    const text = ['Criterion\tA\tB\tC\tD\tE\tWeight', 'Short\tonly\ttwo', row('Ok', 'o', 'heavy'), row('Also', 'a', '50%')].join('\n');
    const { problems } = parseCptTable(text, 't.tsv');
    assert.deepEqual(problems.map(formatProblem), [
      't.tsv:2:1: expected 7 tab-separated cells (criterion, 5 level descriptions from best to worst, weight), got 3',
      `t.tsv:3:${row('Ok', 'o', '').length + 1}: the weight must be a positive percentage such as 30% or 30, got 'heavy'`,
    ]);
  });

  it('reports weights that do not sum to 100, with the sum', () => {
    const result = importCptTable([row('A', 'a', '30%'), row('B', 'b', '30%')].join('\n'), { id: 'x', title: 'X', file: 't.tsv' });
    assert.equal(result.yaml, undefined);
    assert.equal(result.problems.length, 1);
    assert.match(formatProblem(result.problems[0]), /^t\.tsv:2:\d+: the weights sum to 60, not 100$/);
  });

  it('rejects bad options with a clear error', () => {
    const body = row('A', 'a', '100');
    assert.throws(() => importCptTable(body, { id: 'Bad Id', title: 'X' }), /id 'Bad Id' must match/);
    assert.throws(() => importCptTable(body, { id: 'x', title: 'X', levels: ['a', 'b'] }), /exactly 5/);
  });

  it('splits quoted cells that hold tabs and newlines, with positions', () => {
    const rows = parseTsv('a\t"b\tc\nd"\te\nf\tg\n');
    assert.deepEqual(rows.map((r) => r.map((c) => c.text)), [['a', 'b\tc\nd', 'e'], ['f', 'g']]);
    assert.deepEqual(rows[0].map((c) => [c.line, c.col]), [[1, 1], [1, 3], [2, 4]]);
    assert.deepEqual(rows[1].map((c) => [c.line, c.col]), [[3, 1], [3, 3]]);
  });
});
