// Hostile and odd rubric files (issue 15: items 7, 9 and 10): size limits per file and per field, only regular
// files read, symbolic links confined to the rubric folder, YAML aliases and merge keys, nesting depth, ids,
// byte-order marks and control characters, and the trust rules for rubric folders. Each rejected input is a
// problem with a file and a line; nothing hangs and nothing else stops loading.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  RUBRIC_LIMITS,
  formatProblem,
  idProblem,
  loadRubrics,
  parseRubric,
  type RubricProblem,
} from '../../src/core/rubrics';
import { planRubricFolders } from '../../src/core/rubrics/folders';
import { validRubricLines } from '../fixtures/rubrics/paths';

const valid = (id = 'sample') => validRubricLines(id).join('\n') + '\n';
/** validRubricLines with line `n` (1-based) replaced by `by`. */
const edit = (n: number, ...by: string[]) => {
  const lines = validRubricLines();
  lines.splice(n - 1, 1, ...by);
  return lines.join('\n') + '\n';
};
const errorsOf = (problems: RubricProblem[]) => problems.filter((p) => p.severity !== 'warning');

function onlyError(text: string): RubricProblem {
  const { rubric, problems } = parseRubric(text, 'r.yaml');
  const errors = errorsOf(problems);
  assert.equal(errors.length, 1, `expected one error, got:\n${problems.map(formatProblem).join('\n')}`);
  assert.equal(rubric, undefined);
  return errors[0];
}
const at = (p: RubricProblem) => `${p.line}:${p.col}`;

describe('rubrics: size limits', () => {
  it('refuses a field over its limit at the field, naming the length and the limit', () => {
    const long = 'x'.repeat(RUBRIC_LIMITS.textChars + 1);
    const p = onlyError(edit(3, `summary: ${long}`));
    assert.equal(at(p), '3:10');
    assert.match(p.message, /^summary is 4,097 characters long; the limit is 4,096$/);
    const q = onlyError(edit(2, `title: ${'t'.repeat(RUBRIC_LIMITS.nameChars + 1)}`));
    assert.match(q.message, /^title is 201 characters long; the limit is 200$/);
    const c = onlyError(edit(8, `    levels: [a1, a2, ${'d'.repeat(5000)}, a4, a5]`));
    assert.equal(at(c), '8:22');
    assert.match(c.message, /criteria\[1\]\.levels: entry 3 is 5,000 characters long/);
  });

  it('accepts fields right at their limits', () => {
    const { rubric } = parseRubric(edit(3, `summary: ${'x'.repeat(RUBRIC_LIMITS.textChars)}`), 'r.yaml');
    assert.ok(rubric);
  });

  it('refuses a whole file over 256 KiB at line 1 without parsing it (the 11M-character summary)', () => {
    const p = onlyError(edit(3, `summary: ${'s'.repeat(11_000_000)}`));
    assert.equal(at(p), '1:1');
    assert.match(p.message, /the file is 10742\.\d KiB; a rubric file may be at most 256 KiB/);
  });

  it('loads the other rubrics of a folder beside an oversized file, which is a broken rubric', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubric-size-'));
    try {
      await fs.writeFile(
        path.join(dir, 'big.yaml'),
        valid('big').replace('A sample rubric for tests.', 's'.repeat(300_000)),
      );
      await fs.writeFile(path.join(dir, 'ok.yaml'), valid('ok'));
      const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
      assert.deepEqual(
        rubrics.map((r) => r.id),
        ['ok'],
      );
      assert.equal(problems.length, 1);
      assert.equal(problems[0].file, path.join(dir, 'big.yaml'));
      assert.match(
        formatProblem(problems[0]),
        /big\.yaml:1:1: the file is 293\.\d KiB; a rubric file may be at most 256 KiB/,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rubrics: what a rubric folder may hold', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubric-files-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('skips a FIFO named like a rubric without blocking, and loads the rest', async function () {
    if (process.platform === 'win32') this.skip();
    const made = spawnSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    assert.equal(made.status, 0, String(made.stderr));
    await fs.writeFile(path.join(dir, 'ok.yaml'), valid('ok'));
    // A read that waited for a writer would never return: the test would time out instead of passing.
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
    assert.deepEqual(
      rubrics.map((r) => r.id),
      ['ok'],
    );
    assert.equal(problems.length, 1);
    assert.match(formatProblem(problems[0]), /pipe\.yaml:1:1: skipped: a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a symbolic link to a file outside the folder, saying where it points', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-rubric-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'secret.yaml'), valid('secret'));
      await fs.symlink(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'));
      const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
      assert.deepEqual(rubrics, []);
      assert.equal(problems.length, 1);
      assert.equal(problems[0].file, path.join(dir, 'link.yaml'));
      assert.match(problems[0].message, /^refused: a symbolic link to .*secret\.yaml, outside the rubric folder/);
      // A relative link climbing out is the same.
      await fs.rm(path.join(dir, 'link.yaml'));
      await fs.symlink(path.relative(dir, path.join(outside, 'secret.yaml')), path.join(dir, 'climb.yaml'));
      const again = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
      assert.match(again.problems[0]?.message ?? '', /^refused: a symbolic link/);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('follows a symbolic link to a file inside the folder, and reads a linked folder as itself', async () => {
    await fs.mkdir(path.join(dir, 'shared'));
    await fs.writeFile(path.join(dir, 'shared', 'real.yaml'), valid('linked'));
    await fs.symlink(path.join('shared', 'real.yaml'), path.join(dir, 'linked.yaml'));
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rubrics.map((r) => [r.id, r.source.file]),
      [['linked', path.join(dir, 'linked.yaml')]],
    );
    // The configured folder may itself be a link; links in it are judged against where it really is.
    const alias = `${dir}-alias`;
    await fs.symlink(dir, alias);
    try {
      const viaLink = await loadRubrics({ extraDirs: [alias], includeBuiltin: false });
      assert.deepEqual(viaLink.problems, []);
      assert.deepEqual(
        viaLink.rubrics.map((r) => r.id),
        ['linked'],
      );
    } finally {
      await fs.rm(alias);
    }
  });

  it('reports a file that is not UTF-8 at its first bad byte', async () => {
    const bytes = Buffer.concat([
      Buffer.from(valid('bin').replace('title: Sample', 'title: Sam')),
      Buffer.from([0xff, 0xfe, 0x41]),
    ]);
    await fs.writeFile(path.join(dir, 'bin.yaml'), bytes);
    const { rubrics, problems } = await loadRubrics({ extraDirs: [dir], includeBuiltin: false });
    assert.deepEqual(rubrics, []);
    assert.equal(problems.length, 1);
    assert.match(formatProblem(problems[0]), /bin\.yaml:16:1: the file is not UTF-8 text/);
  });
});

describe('rubrics: YAML aliases, merge keys and nesting', () => {
  it('resolves aliases and merge keys as YAML defines them', () => {
    const text = [
      'id: merged',
      'title: &t Merged',
      'summary: *t',
      'levels: &names [One, Two, Three, Four, Five]',
      'criteria:',
      '  - &alpha { name: Alpha, weight: 50, levels: *names }',
      '  - <<: *alpha',
      '    name: Beta',
      'directives:',
      '  <<: { 1: From the merge., 2: Two from the merge. }',
      '  2: Two, my own.',
    ].join('\n');
    const { rubric, problems } = parseRubric(text, 'r.yaml');
    assert.deepEqual(problems.map(formatProblem), []);
    assert.ok(rubric);
    assert.equal(rubric.summary, 'Merged');
    assert.deepEqual(
      rubric.criteria.map((c) => [c.name, c.weight, c.levels[4]]),
      [
        ['Alpha', 50, 'Five'],
        ['Beta', 50, 'Five'],
      ],
    );
    // The mapping's own key wins over the merged one.
    assert.deepEqual(rubric.directives, { 1: 'From the merge.', 2: 'Two, my own.' });
  });

  it('merges a list of mappings with the earlier one winning, and a mapping merged into itself once', () => {
    const text = edit(
      6,
      '  - <<: [{ name: Alpha, weight: 60 }, { name: Other, weight: 1, levels: [a1, a2, a3, a4, a5] }]',
    ).replace('    weight: 60\n    levels: [a1, a2, a3, a4, a5]\n', '');
    const { rubric, problems } = parseRubric(text, 'r.yaml');
    assert.deepEqual(problems.map(formatProblem), []);
    assert.deepEqual(rubric?.criteria[0], { name: 'Alpha', weight: 60, levels: ['a1', 'a2', 'a3', 'a4', 'a5'] });
    const self = parseRubric(`${valid()}x: &x { <<: *x }\n`, 'r.yaml');
    assert.ok(self.rubric);
  });

  it('reports an alias without an anchor at the alias, and a merge of something that is not a mapping', () => {
    const p = onlyError(edit(3, 'summary: *nowhere'));
    assert.equal(at(p), '3:10');
    assert.match(p.message, /alias \*nowhere refers to no anchor/);
    const q = onlyError(edit(6, '  - <<: [oops]', '    name: Alpha'));
    assert.match(q.message, /a merge key '<<' takes a mapping or a list of mappings, got text/);
    assert.equal(at(q), '6:10');
  });

  it('bounds alias expansion: a billion-laughs bomb is one positioned error, found in no time', () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    // Ignored keys are never expanded; the bomb used as criteria is read one level deep.
    const { problems } = parseRubric([...bomb, ...validRubricLines().slice(0, 4), 'criteria: *i'].join('\n'), 'r.yaml');
    assert.ok(errorsOf(problems).length >= 1);
    for (const p of problems) assert.ok(p.line >= 1 && p.col >= 1);
    // More aliases than the bound: one error at the first alias past it.
    const many = Array.from({ length: RUBRIC_LIMITS.aliases + 20 }, () => '  - *c').join('\n');
    const text = [
      ...validRubricLines().slice(0, 4),
      'x: &c { name: C, weight: 1, levels: [1, 2, 3, 4, 5] }',
      'criteria:',
      many,
    ].join('\n');
    const limit = parseRubric(text, 'r.yaml').problems.filter((p) => /more than 100 aliases/.test(p.message));
    assert.equal(limit.length, 1);
    assert.equal(limit[0].line, 7 + RUBRIC_LIMITS.aliases);
  });

  it('reports 10,000-deep nesting as a clear positioned error, not a stack overflow', () => {
    for (const [value, col] of [
      ['['.repeat(10_000) + ']'.repeat(10_000), 10 + RUBRIC_LIMITS.depth - 1],
      ['{a: '.repeat(10_000) + '1' + '}'.repeat(10_000), 10 + 4 * (RUBRIC_LIMITS.depth - 2) + 4],
    ] as const) {
      const p = onlyError(edit(3, `summary: ${value}`));
      assert.match(p.message, /^YAML nested more than 32 levels deep here \(a rubric needs 4\)/);
      assert.equal(at(p), `3:${col}`);
    }
    const block = onlyError(`${valid()}deep:\n${'- '.repeat(10_000)}x\n`);
    assert.match(block.message, /nested more than 32 levels/);
    assert.equal(block.line, 17);
  });

  it('lists at most 20 YAML syntax errors and counts the rest', () => {
    const { problems } = parseRubric('- k: '.repeat(2_000) + 'x', 'r.yaml');
    assert.equal(problems.length, RUBRIC_LIMITS.shownErrors + 1);
    assert.match(problems.at(-1)!.message, /^\d[\d,]* more YAML syntax errors \(only the first 20 are listed\)$/);
  });

  it('refuses a second YAML document', () => {
    const p = onlyError(`${valid()}---\nid: other\n`);
    assert.match(p.message, /holds one YAML document/);
    assert.equal(p.line, 16);
  });
});

describe('rubrics: ids, byte-order marks and control characters', () => {
  it(
    'accepts ids of lower-case words joined by single hyphens, and refuses the rest (a leading hyphen ' +
      'looks like a flag)',
    () => {
      for (const ok of ['formality', 'technical-depth', 'a1', 'x-2-y', 'a'.repeat(RUBRIC_LIMITS.idChars)])
        assert.equal(idProblem(ok), undefined, ok);
      for (const bad of [
        '-',
        '--',
        '-x',
        '--help',
        'x-',
        'a--b',
        'A',
        'a_b',
        'a b',
        'é',
        'a'.repeat(RUBRIC_LIMITS.idChars + 1),
      ]) {
        assert.match(
          idProblem(bad) ?? '',
          /must be lower-case letters and digits, words joined by single hyphens/,
          bad,
        );
      }
      const p = onlyError(edit(1, 'id: -sample'));
      assert.equal(at(p), '1:5');
      assert.match(p.message, /^id '-sample' must be lower-case letters/);
    },
  );

  it('strips a byte-order mark that opens the file, keeping every position', () => {
    const { rubric, problems } = parseRubric(`\ufeff${valid()}`, 'r.yaml');
    assert.deepEqual(problems, []);
    assert.equal(rubric?.id, 'sample');
    const p = onlyError(`\ufeff${edit(4, 'levels: [One, Two]')}`);
    assert.equal(at(p), '4:9');
  });

  it('reports a byte-order mark anywhere else where it is', () => {
    const p = onlyError(edit(3, '\ufeffsummary: A sample rubric for tests.'));
    assert.equal(at(p), '3:1');
    assert.match(p.message, /byte-order mark \(U\+FEFF, invisible\) is allowed only as the very first character/);
    const q = onlyError(edit(2, 'title: Sam\ufeffple'));
    assert.equal(at(q), '2:11');
  });

  it('reports control characters in the file and those written as YAML escapes', () => {
    const p = onlyError(edit(2, 'title: a\u001b[31mb'));
    assert.equal(at(p), '2:9');
    assert.match(p.message, /control character U\+001B is not allowed/);
    const q = onlyError(edit(2, 'title: "Sample\\e]0;owned\\a"'));
    assert.equal(at(q), '2:8');
    assert.match(q.message, /title holds control character U\+001B \(written as a YAML escape\)/);
  });
});

describe('rubrics: which folders are read', () => {
  const home = '/home/w';
  const base = { user: [] as string[], workspace: [] as string[], workspaceFolders: ['/ws/a', '/ws/b'], home };

  it('reads the workspace folders, workspace entries and relative user entries only when trusted', () => {
    const input = { ...base, user: ['/abs/r', '~/mine', 'relative/r'], workspace: ['team', '/abs/team'] };
    const trusted = planRubricFolders({ ...input, trusted: true });
    assert.deepEqual(trusted.folders, [
      '/abs/r',
      '/home/w/mine',
      '/ws/a/relative/r',
      '/ws/a/.cpt-writer/rubrics',
      '/ws/b/.cpt-writer/rubrics',
      '/ws/a/team',
      '/abs/team',
    ]);
    assert.deepEqual(trusted.ignored, []);
    const untrusted = planRubricFolders({ ...input, trusted: false });
    assert.deepEqual(untrusted.folders, ['/abs/r', '/home/w/mine']);
    assert.deepEqual(
      untrusted.ignored.map((i) => i.entry),
      ['relative/r', 'team', '/abs/team'],
    );
    assert.match(
      untrusted.ignored[0].reason,
      /relative user entry would be read from the workspace, which is not trusted/,
    );
    for (const d of untrusted.folders) assert.ok(!d.startsWith('/ws/'), d);
  });

  it('ignores relative entries (./, ../, .) in an untrusted workspace, and with no folder open', () => {
    const untrusted = planRubricFolders({ ...base, user: ['.', './r', '../up'], trusted: false });
    assert.deepEqual(untrusted.folders, []);
    assert.equal(untrusted.ignored.length, 3);
    const noFolder = planRubricFolders({ ...base, workspaceFolders: [], user: ['r', '/abs'], trusted: true });
    assert.deepEqual(noFolder.folders, ['/abs']);
    assert.match(noFolder.ignored[0].reason, /needs an open folder/);
  });
});
