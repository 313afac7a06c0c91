import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  builtinRubricsDir,
  estimateTokens,
  formatProblem,
  levelName,
  loadRubrics,
  parseRubric,
  type RubricProblem,
} from '../../src/core/rubrics';
import { repoRoot, rubricFixturesDir, validRubricLines } from '../fixtures/rubrics/paths';

function withLines(edit: (lines: string[]) => void): string {
  const lines = validRubricLines();
  edit(lines);
  return lines.join('\n') + '\n';
}

/** The only error problem of a text, asserting there is exactly one. */
function onlyError(text: string): RubricProblem {
  const { rubric, problems } = parseRubric(text, 'r.yaml');
  const errors = problems.filter((p) => p.severity !== 'warning');
  assert.equal(errors.length, 1, `expected one error, got:\n${problems.map(formatProblem).join('\n')}`);
  assert.equal(rubric, undefined);
  return errors[0];
}

function at(p: RubricProblem): string {
  return `${p.line}:${p.col}`;
}

describe('rubrics: parse and validate', () => {
  it('parses a valid rubric', () => {
    const { rubric, problems } = parseRubric(
      withLines(() => {}),
      '/x/r.yaml',
      true,
    );
    assert.deepEqual(problems, []);
    assert.ok(rubric);
    assert.equal(rubric.id, 'sample');
    assert.deepEqual(rubric.levels, ['One', 'Two', 'Three', 'Four', 'Five']);
    assert.equal(levelName(rubric, 3), 'Three');
    assert.deepEqual(
      rubric.criteria.map((c) => [c.name, c.weight, c.levels[4]]),
      [
        ['Alpha', 60, 'a5'],
        ['Beta', 40, 'b5'],
      ],
    );
    assert.deepEqual(rubric.directives, { 1: 'Write at level one.', 5: 'Write at level five.' });
    assert.deepEqual(rubric.source, { file: '/x/r.yaml', builtin: true });
    assert.match(rubric.hash, /^[0-9a-f]{16}$/);
  });

  it('hashes content, not layout or location', () => {
    const a = parseRubric(
      withLines(() => {}),
      'a.yaml',
    ).rubric!;
    const relaid = withLines((l) => {
      l[3] = 'levels:\n  - One\n  - Two\n  - "Three"\n  - Four\n  - Five';
      l[0] = `id: 'sample'   # same id, quoted`;
    });
    const b = parseRubric(relaid, 'elsewhere/b.yaml').rubric!;
    assert.equal(a.hash, b.hash);
    const changed = parseRubric(
      withLines((l) => {
        l[13] = '  1: Write at level 1.';
      }),
      'a.yaml',
    ).rubric!;
    assert.notEqual(a.hash, changed.hash);
  });

  it('reports a YAML syntax error where it is', () => {
    const p = onlyError(
      withLines((l) => {
        l[3] = 'levels: [One, Two';
      }),
    );
    assert.match(p.message, /YAML syntax error/);
    assert.equal(p.file, 'r.yaml');
    assert.equal(p.line, 5); // the unterminated flow sequence is detected at the next line
  });

  it('reports a key given twice at the second one', () => {
    const p = onlyError(
      withLines((l) => {
        l.splice(2, 0, 'title: Again');
      }),
    );
    assert.match(p.message, /Map keys must be unique/);
    assert.equal(at(p), '3:1');
  });

  it('reports a missing required field at the top mapping', () => {
    const p = onlyError(
      withLines((l) => {
        l.splice(2, 1);
      }),
    );
    assert.match(p.message, /missing required field 'summary'/);
    assert.equal(at(p), '1:1');
  });

  it('reports a wrong type at the value', () => {
    const p = onlyError(
      withLines((l) => {
        l[6] = '    weight: forty';
      }),
    );
    assert.match(p.message, /criteria\[1\]\.weight must be a positive number.*got text/);
    assert.equal(at(p), '7:13');
    const q = onlyError(
      withLines((l) => {
        l[1] = 'title: [a, b]';
      }),
    );
    assert.match(q.message, /title must be text, got a list/);
    assert.equal(at(q), '2:8');
  });

  it('reports an id that is not lower-case words joined by hyphens', () => {
    const p = onlyError(
      withLines((l) => {
        l[0] = 'id: Bad_Id';
      }),
    );
    assert.match(p.message, /id 'Bad_Id' must be lower-case letters and digits, words joined by single hyphens/);
    assert.equal(at(p), '1:5');
  });

  it('reports level names that are not exactly 5', () => {
    const p = onlyError(
      withLines((l) => {
        l[3] = 'levels: [One, Two, Three, Four]';
      }),
    );
    assert.match(p.message, /levels must have exactly 5 entries.*got 4/);
    assert.equal(at(p), '4:9');
  });

  it("reports a criterion's levels that are not exactly 5", () => {
    const p = onlyError(
      withLines((l) => {
        l[10] = '    levels: [b1, b2, b3, b4, b5, b6]';
      }),
    );
    assert.match(p.message, /criteria\[2\]\.levels must have exactly 5 entries.*got 6/);
    assert.equal(at(p), '11:13');
  });

  it('reports weights that do not sum to 100, with the sum', () => {
    const p = onlyError(
      withLines((l) => {
        l[9] = '    weight: 35';
      }),
    );
    assert.match(p.message, /weights sum to 95, not 100/);
    assert.equal(at(p), '5:1');
  });

  it('accepts fractional weights that sum to 100', () => {
    const { rubric } = parseRubric(
      withLines((l) => {
        l[6] = '    weight: 66.7';
        l[9] = '    weight: 33.3';
      }),
      'r.yaml',
    );
    assert.ok(rubric);
  });

  it('reports directive keys outside 1..5 at the key', () => {
    const p = onlyError(
      withLines((l) => {
        l[14] = '  6: Write at level six.';
      }),
    );
    assert.match(p.message, /directive key must be a level 1\.\.5, got '6'/);
    assert.equal(at(p), '15:3');
    const q = onlyError(
      withLines((l) => {
        l[14] = '  high: Write high.';
      }),
    );
    assert.match(q.message, /got 'high'/);
    assert.equal(at(q), '15:3');
  });

  it('reports a directive longer than about 256 tokens at its text', () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    assert.ok(estimateTokens(long) > 256);
    const p = onlyError(
      withLines((l) => {
        l[13] = `  1: ${long}`;
      }),
    );
    assert.match(p.message, /directive for level 1 is about \d+ tokens; keep it under 256/);
    assert.equal(at(p), '14:6');
  });

  it('warns about unknown keys but still loads the rubric', () => {
    const { rubric, problems } = parseRubric(
      withLines((l) => {
        l.push('author: someone');
      }),
      'r.yaml',
    );
    assert.ok(rubric);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, 'warning');
    assert.match(formatProblem(problems[0]), /^r\.yaml:16:1: warning: unknown key 'author'/);
  });

  it('reports every problem of a file, not just the first', () => {
    const text = withLines((l) => {
      l[0] = 'id: No Good';
      l[3] = 'levels: [One]';
      l[9] = '    weight: 10';
      l[14] = '  9: x';
    });
    const { problems } = parseRubric(text, 'r.yaml');
    assert.deepEqual(problems.map(at), ['1:5', '4:9', '5:1', '15:3']);
  });

  it('reports an empty file and a non-mapping document', () => {
    assert.match(onlyError('').message, /must be a mapping.*empty file/);
    assert.match(onlyError('- a\n- b\n').message, /must be a mapping.*a list/);
  });

  it('formats problems as FILE:LINE:COL: message', () => {
    assert.equal(formatProblem({ file: 'a/b.yaml', line: 3, col: 7, message: 'oops' }), 'a/b.yaml:3:7: oops');
  });
});

describe('rubrics: loading folders', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubrics-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads valid rubrics beside broken ones and reports the broken file', async () => {
    const { rubrics, problems } = await loadRubrics({
      extraDirs: [path.join(rubricFixturesDir, 'valid'), path.join(rubricFixturesDir, 'broken')],
      includeBuiltin: false,
    });
    assert.deepEqual(
      rubrics.map((r) => r.id),
      ['suspense'],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].file, path.join(rubricFixturesDir, 'broken', 'bad-weights.yaml'));
    assert.match(formatProblem(problems[0]), /bad-weights\.yaml:5:1: criterion weights sum to 90, not 100$/);
  });

  it('reads .yaml and .yml, ignores other files, and treats missing folders as empty', async () => {
    await fs.writeFile(path.join(dir, 'a.yaml'), validRubricLines('a').join('\n'));
    await fs.writeFile(path.join(dir, 'b.yml'), validRubricLines('b').join('\n'));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not a rubric');
    const { rubrics, problems } = await loadRubrics({
      extraDirs: [dir, path.join(dir, 'missing')],
      includeBuiltin: false,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rubrics.map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(rubrics[0].source.builtin, false);
  });

  it('reports a duplicate id at the second file, naming the first', async () => {
    const first = path.join(dir, 'one');
    const second = path.join(dir, 'two');
    await fs.mkdir(first);
    await fs.mkdir(second);
    await fs.writeFile(path.join(first, 'x.yaml'), validRubricLines('same').join('\n'));
    await fs.writeFile(path.join(second, 'y.yaml'), ['# a comment line', ...validRubricLines('same')].join('\n'));
    const { rubrics, problems } = await loadRubrics({ extraDirs: [first, second], includeBuiltin: false });
    assert.equal(rubrics.length, 1);
    assert.equal(rubrics[0].source.file, path.join(first, 'x.yaml'));
    assert.equal(problems.length, 1);
    assert.equal(
      formatProblem(problems[0]),
      `${path.join(second, 'y.yaml')}:2:5: duplicate id 'same': already defined in ${path.join(first, 'x.yaml')}`,
    );
  });

  it('does not treat the same folder listed twice as duplicates', async () => {
    await fs.writeFile(path.join(dir, 'a.yaml'), validRubricLines('a').join('\n'));
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir, dir + path.sep], includeBuiltin: false });
    assert.equal(rubrics.length, 1);
    assert.deepEqual(problems, []);
  });

  it('reports an unreadable file and keeps going', async () => {
    await fs.symlink(path.join(dir, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
    await fs.writeFile(path.join(dir, 'ok.yaml'), validRubricLines('ok').join('\n'));
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
    assert.deepEqual(
      rubrics.map((r) => r.id),
      ['ok'],
    );
    assert.equal(problems.length, 1);
    assert.match(
      formatProblem(problems[0]),
      /dangling\.yaml:1:1: cannot read rubric file: it is a symbolic link to something that does not exist \(ENOENT/,
    );
  });
});

describe('rubrics: built-ins', () => {
  it('lives in the repository rubrics/ folder', () => {
    assert.equal(builtinRubricsDir(), path.join(repoRoot, 'rubrics'));
  });

  it('all validate, with 5 levels, 3-5 criteria, scoring notes and 5 short directives', async () => {
    const { rubrics, problems } = await loadRubrics();
    assert.deepEqual(problems.map(formatProblem), []);
    const ids = rubrics.map((r) => r.id);
    for (const id of ['formality', 'concision', 'warmth', 'technical-depth', 'ornateness', 'confidence'])
      assert.ok(ids.includes(id), id);
    for (const r of rubrics) {
      assert.equal(r.source.builtin, true);
      assert.ok(r.criteria.length >= 3 && r.criteria.length <= 5, `${r.id}: ${r.criteria.length} criteria`);
      assert.ok(r.scoring.length > 40, `${r.id}: scoring notes`);
      assert.match(r.summary, /^[^.]+\.$/, `${r.id}: summary is one sentence`);
      for (const level of [1, 2, 3, 4, 5] as const) {
        const d = r.directives[level];
        assert.ok(d, `${r.id}: directive ${level}`);
        assert.ok(estimateTokens(d) <= 256, `${r.id}: directive ${level} too long`);
        const sentences = d.split(/(?<=[.!?])\s+/).length;
        assert.ok(sentences >= 2 && sentences <= 3, `${r.id}: directive ${level} has ${sentences} sentences`);
      }
      // Directives are distinct per level: each names its own strength.
      assert.equal(new Set(Object.values(r.directives)).size, 5, r.id);
    }
  });
});
