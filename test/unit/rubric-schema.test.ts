// schemas/rubric.schema.json, the JSON Schema editors use for rubric YAML files, against the rubric
// loader's own rules: every built-in rubric passes it, and each broken variant fails both it and the loader.
// Ajv compiles the schema in strict mode, so a mistyped keyword in the schema fails here too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { parseRubric } from '../../src/core/rubrics';
import { repoRoot, rubricFixturesDir, validRubricLines } from '../fixtures/rubrics/paths';

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'rubric.schema.json'), 'utf8')) as object;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
const schemaAccepts = (yaml: string) => validate(parse(yaml));
const loaderAccepts = (yaml: string) => {
  const { rubric, problems } = parseRubric(yaml, 'r.yaml');
  return rubric !== undefined && problems.length === 0;
};

/** validRubricLines with line `n` (1-based) replaced by `by` (several lines allowed, or none). */
const edit = (n: number, ...by: string[]) => {
  const lines = validRubricLines();
  lines.splice(n - 1, 1, ...by);
  return lines.join('\n');
};

describe('rubric JSON Schema', () => {
  it('accepts every built-in rubric and the valid fixture', () => {
    const files = readdirSync(path.join(repoRoot, 'rubrics'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(repoRoot, 'rubrics', f));
    files.push(path.join(rubricFixturesDir, 'valid', 'suspense.yaml'));
    assert.ok(files.length >= 7);
    for (const file of files)
      assert.ok(validate(parse(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
  });

  it('accepts what the loader accepts: the template, a null directives map, quoted level keys, decimal weights', () => {
    const variants = [
      validRubricLines().join('\n'),
      edit(13, 'directives:').split('\n').slice(0, 13).join('\n'),
      edit(14, '  "1": Write at level one.'),
      edit(7, '    weight: 60.5').replace('weight: 40', 'weight: 39.5'),
      edit(1, 'id: x-2-y'),
      edit(1, `id: ${'a'.repeat(64)}`),
      edit(3, `summary: ${'s'.repeat(4096)}`),
      edit(2, `title: ${'t'.repeat(200)}`),
    ];
    for (const yaml of variants) {
      assert.ok(loaderAccepts(yaml), yaml);
      assert.ok(schemaAccepts(yaml), `${yaml}\n${JSON.stringify(validate.errors)}`);
    }
  });

  const broken: [string, string][] = [
    ['no id', edit(1)],
    ['an id with capitals', edit(1, 'id: Sample')],
    ['an empty title', edit(2, 'title: "  "')],
    ['four level names', edit(4, 'levels: [One, Two, Three, Four]')],
    ['a level name used twice', edit(4, 'levels: [One, Two, Two, Four, Five]')],
    ['a number as a level name', edit(4, 'levels: [One, Two, 3, Four, Five]')],
    [
      'no criteria',
      edit(5, 'criteria: []')
        .split('\n')
        .filter((l, i) => i < 5 || i > 10)
        .join('\n'),
    ],
    ['a weight of zero', edit(7, '    weight: 0').replace('weight: 40', 'weight: 100')],
    ['a weight as text', edit(7, '    weight: sixty')],
    ['a criterion with four levels', edit(8, '    levels: [a1, a2, a3, a4]')],
    ['a criterion without a name', edit(6, '  - weight: 60').replace('    weight: 60\n', '')],
    ['an unknown key in a criterion', edit(8, '    levels: [a1, a2, a3, a4, a5]', '    note: extra')],
    ['an unknown top-level key', edit(12, 'scoring: Judge it.', 'colour: blue')],
    ['a directive for level 6', edit(15, '  6: Write at level six.')],
    ['a directive far over 256 tokens', edit(15, `  5: ${'Write this at level five with care. '.repeat(40)}`)],
    ['scoring that is a list', edit(12, 'scoring: [a, b]')],
    ['an id that starts with a hyphen', edit(1, 'id: -sample')],
    ['an id that ends with a hyphen', edit(1, 'id: sample-')],
    ['an id with a double hyphen', edit(1, 'id: sam--ple')],
    ['an id over 64 characters', edit(1, `id: ${'a'.repeat(65)}`)],
    ['a title over 200 characters', edit(2, `title: ${'t'.repeat(201)}`)],
    ['a level name over 200 characters', edit(4, `levels: [One, Two, ${'t'.repeat(201)}, Four, Five]`)],
    ['a summary over 4096 characters', edit(3, `summary: ${'s'.repeat(4097)}`)],
    ['a criterion description over 4096 characters', edit(8, `    levels: [a1, a2, ${'d'.repeat(4097)}, a4, a5]`)],
  ];
  for (const [what, yaml] of broken) {
    it(`rejects ${what}, as the loader does`, () => {
      assert.equal(loaderAccepts(yaml), false, `the loader accepted: ${yaml}`);
      assert.equal(schemaAccepts(yaml), false, `the schema accepted: ${yaml}`);
    });
  }

  it('leaves weight sums to the loader, which a schema cannot express', () => {
    const yaml = readFileSync(path.join(rubricFixturesDir, 'broken', 'bad-weights.yaml'), 'utf8');
    assert.equal(loaderAccepts(yaml), false);
    assert.equal(schemaAccepts(yaml), true);
  });
});
