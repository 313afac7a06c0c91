import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_IMPORT_LEVEL_NAMES,
  formatProblem,
  importCptTable,
  loadRubrics,
  parseCptTable,
} from '../../src/core/rubrics';
import { cptProse, parseTsv, splitCptLayout } from '../../src/core/rubrics/import-cpt';
import { rubricPrompt } from '../../src/core/prompts';
import { rubricFixturesDir } from '../fixtures/rubrics/paths';
import { runCli } from './helpers/run-node';

const tableFile = path.join(rubricFixturesDir, 'cpt', 'guidance.tsv');
/** Our own rubric written in the paper's whole layout: title, objective, principles, table, scoring. */
const layoutFile = path.join(rubricFixturesDir, 'cpt', 'lighthouse.txt');

function row(name: string, best: string, weight: string): string {
  return [name, `${best} 5`, `${best} 4`, `${best} 3`, `${best} 2`, `${best} 1`, weight].join('\t');
}

describe('rubrics: CPT table import', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-import-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips the fixture table into YAML that loadRubrics accepts, best column = level 5', async () => {
    const text = await fs.readFile(tableFile, 'utf8');
    const result = importCptTable(text, {
      id: 'guidance',
      title: 'Reader guidance',
      summary: 'How well the text guides its reader.',
      file: tableFile,
    });
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
    assert.deepEqual(
      r.criteria.map((c) => [c.name, c.weight]),
      [
        ['Signposting', 40],
        ['Examples', 35],
        ['Reader questions', 25],
      ],
    );
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
    const text = [
      'Criterion\tA\tB\tC\tD\tE\tWeight',
      'Short\tonly\ttwo',
      row('Ok', 'o', 'heavy'),
      row('Also', 'a', '50%'),
    ].join('\n');
    const { problems } = parseCptTable(text, 't.tsv');
    assert.deepEqual(problems.map(formatProblem), [
      't.tsv:2:1: expected 7 tab-separated cells (criterion, 5 level descriptions from best to worst, weight), got 3',
      `t.tsv:3:${row('Ok', 'o', '').length + 1}: the weight must be a positive percentage such as 30% ` +
        `or 30, got 'heavy'`,
    ]);
  });

  it('reports weights that do not sum to 100, with the sum', () => {
    const result = importCptTable([row('A', 'a', '30%'), row('B', 'b', '30%')].join('\n'), {
      id: 'x',
      title: 'X',
      file: 't.tsv',
    });
    assert.equal(result.yaml, undefined);
    assert.equal(result.problems.length, 1);
    assert.match(formatProblem(result.problems[0]), /^t\.tsv:2:\d+: the weights sum to 60, not 100$/);
  });

  it('rejects bad options with a clear error', () => {
    const body = row('A', 'a', '100');
    assert.throws(
      () => importCptTable(body, { id: 'Bad Id', title: 'X' }),
      /id 'Bad Id' must be lower-case letters and digits, words joined by single hyphens/,
    );
    assert.throws(() => importCptTable(body, { id: 'x', title: 'X', levels: ['a', 'b'] }), /exactly 5/);
  });

  it('splits quoted cells that hold tabs and newlines, with positions', () => {
    const rows = parseTsv('a\t"b\tc\nd"\te\nf\tg\n');
    assert.deepEqual(
      rows.map((r) => r.map((c) => c.text)),
      [
        ['a', 'b\tc\nd', 'e'],
        ['f', 'g'],
      ],
    );
    assert.deepEqual(
      rows[0].map((c) => [c.line, c.col]),
      [
        [1, 1],
        [1, 3],
        [2, 4],
      ],
    );
    assert.deepEqual(
      rows[1].map((c) => [c.line, c.col]),
      [
        [3, 1],
        [3, 3],
      ],
    );
  });

  it(
    "reads the paper's whole layout: title line, objective and principles as the summary, the table, " +
      'Scoring: prose as notes',
    async () => {
      const text = await fs.readFile(layoutFile, 'utf8');
      const result = importCptTable(text, { id: 'lighthouse', file: layoutFile });
      assert.deepEqual(result.problems, []);
      await fs.writeFile(path.join(dir, 'lighthouse.yaml'), result.yaml!);
      const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
      assert.deepEqual(problems.map(formatProblem), []);
      const r = rubrics[0];
      assert.equal(r.title, 'The "Lighthouse Keeper" Rubric: Writing That Guides the Reader Home');
      assert.match(r.summary, /^Objective: To reward texts that keep their reader oriented at every step/);
      assert.match(
        r.summary,
        new RegExp(
          String.raw`\n\nGuiding Principles:\n\nOrientation First: A reader who is lost stops ` +
            String.raw`reading; every paragraph should say where it stands\.\nConcrete Bearings:`,
        ),
      );
      assert.match(
        r.summary,
        /Clear Weather: Confusion is cleared before it gathers\.$/,
        'the heading that introduces the table is not part of the summary',
      );
      assert.equal(
        r.scoring,
        'High scores go to texts a first-time reader can follow without ever re-reading a sentence.\nPenalties ' +
          'apply to detours, unexplained jumps and examples that mislead.',
      );
      assert.deepEqual(r.levels, [
        'Unsatisfactory (Dark Coast)',
        'Needs Improvement (Fog)',
        'Fair (Flicker)',
        'Good (Steady Glow)',
        'Excellent (Clear Beam)',
      ]);
      assert.deepEqual(
        r.criteria.map((c) => [c.name, c.weight]),
        [
          ['Route Markers (The "You Are Here" Sign)', 45],
          ['Landmarks (Concrete Examples)', 35],
          ['Fog Warnings', 20],
        ],
      );
      // A cell that starts with a quote but is not quoted as a whole keeps its quotes as written ...
      assert.match(
        r.criteria[0].levels[4],
        /^"Where we are going" sentences open every section, and each section closes by naming the next stop\./,
      );
      // ... and a wholly quoted cell may hold a tab, with "" for a quote.
      assert.equal(
        r.criteria[2].levels[4],
        `Anticipates the reader's "wait, why?" moments\tand clears each one before it forms.`,
      );
      assert.equal(r.criteria[1].levels[0], 'Only abstractions; nothing to picture.');
      // All of the prose reaches the prompts that show the rubric.
      const prompt = rubricPrompt(r, 3);
      assert.ok(prompt.includes('Guiding Principles:') && prompt.includes('Penalties apply to detours'));
    },
  );

  it('options override the prose; a file with no title line needs --title', async () => {
    const text = await fs.readFile(layoutFile, 'utf8');
    const r = importCptTable(text, {
      id: 'l',
      title: 'Lighthouse',
      summary: 'Keeps the reader oriented.',
      scoring: 'Be strict.',
    }).rubric!;
    assert.deepEqual([r.title, r.summary, r.scoring], ['Lighthouse', 'Keeps the reader oriented.', 'Be strict.']);
    const untitled = text.slice(text.indexOf('Objective:'));
    assert.throws(
      () => importCptTable(untitled, { id: 'l', file: 'u.txt' }),
      /no title: u\.txt has no title line before its table; give one with --title/,
    );
    assert.match(importCptTable(untitled, { id: 'l', title: 'T' }).rubric!.summary, /^Objective:/);
    const bare = await fs.readFile(tableFile, 'utf8');
    assert.throws(() => importCptTable(bare, { id: 'g' }), /no title/);
  });

  it('reports a bad row of a whole-layout file at its line in the file', async () => {
    const text = (await fs.readFile(layoutFile, 'utf8')).replace(
      'Landmarks (Concrete Examples)\t',
      'Landmarks (Concrete Examples)\tan extra cell\t',
    );
    const result = importCptTable(text, { id: 'l', file: 'l.txt' });
    assert.equal(result.yaml, undefined);
    assert.deepEqual(result.problems.map(formatProblem), [
      'l.txt:14:1: expected 7 tab-separated cells (criterion, 5 level descriptions from best to worst, weight), got 8',
    ]);
  });

  it('splits the layout at the table, and takes a title only from a line of its own', () => {
    const layout = splitCptLayout('Title\n\nObjective: x.\n\nA\t5\t4\t3\t2\t1\t100%\n\nScoring:\nNotes.\n');
    assert.equal(layout.rows.length, 1);
    assert.equal(layout.rows[0][0].line, 5);
    assert.equal(layout.after, 'Scoring:\nNotes.\n');
    assert.deepEqual(cptProse(layout.before), { title: 'Title', summary: 'Objective: x.' });
    assert.deepEqual(cptProse('Objective: only this.\n\nMore.'), { summary: 'Objective: only this.\n\nMore.' });
    assert.deepEqual(splitCptLayout('no table here').rows, []);
  });

  it('quotes a cell only when the whole cell is quoted', () => {
    const rows = parseTsv('"Haunted Lens" effect\t"whole cell"\t"a ""quoted"" word"\t"x" y "z"\n');
    assert.deepEqual(
      rows[0].map((c) => c.text),
      ['"Haunted Lens" effect', 'whole cell', 'a "quoted" word', '"x" y "z"'],
    );
  });

  it(
    'cpt-writer import-rubric takes the title from a whole-layout file and needs --title for a bare ' + 'table',
    async function () {
      this.timeout(30_000);
      const whole = await runCli(['import-rubric', layoutFile, '--id', 'lighthouse']);
      assert.equal(whole.code, 0, whole.stderr);
      assert.match(whole.stdout, /^title: 'The "Lighthouse Keeper" Rubric: Writing That Guides the Reader Home'$/m);
      assert.match(whole.stdout, /^scoring: \|-\n {2}High scores go to texts/m);
      const bare = await runCli(['import-rubric', tableFile, '--id', 'g']);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /no title: .*guidance\.tsv has no title line before its table; give one with --title/);
    },
  );
});
