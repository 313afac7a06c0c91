import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EndpointGenerator } from '../../src/core/endpoint';
import {
  cleanDirective,
  parseInput,
  runGenerate,
  setRubricDirectives,
  type GenerateSample,
} from '../../src/core/generate';
import { rewritePrompt } from '../../src/core/rewrite';
import { MAX_DIRECTIVE_TOKENS, estimateTokens, loadRubrics, parseRubric, type Level } from '../../src/core/rubrics';
import { repoRoot, rubricFixturesDir, validRubricLines } from '../fixtures/rubrics/paths';
import { FakeOpenAIServer } from '../unit/helpers/openai-server';
import { CLI_MAIN, runNode } from '../unit/helpers/run-node';

const SUSPENSE = path.join(rubricFixturesDir, 'valid', 'suspense.yaml');

/** Lines of `after` that are not in `before`, and the reverse: the whole of an edit. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe('directives: writing them into a rubric file', () => {
  it('adds a directives block to a rubric without one, leaving every other line as it was', async () => {
    const source = await fs.readFile(SUSPENSE, 'utf8');
    const result = setRubricDirectives(
      source,
      {
        5: 'Hold back the outcome to the very end; short, clipped sentences at every peak.',
        1: 'Tell it flat: outcome first, even pace.',
      },
      SUSPENSE,
    );
    assert.deepEqual(result.problems, []);
    assert.ok(result.text!.startsWith(source), 'the file is only appended to');
    assert.equal(
      result.text!.slice(source.length),
      'directives:\n  1: "Tell it flat: outcome first, even pace."\n  5: Hold back the outcome to the ' +
        'very end; short, clipped sentences at every peak.\n',
    );
    assert.equal(result.rubric!.directives[1], 'Tell it flat: outcome first, even pace.');
  });

  it(
    'replaces and inserts entries in a rubric with comments and folded directives, touching ' + 'nothing else',
    async () => {
      const source = await fs.readFile(path.join(repoRoot, 'rubrics', 'formality.yaml'), 'utf8');
      const three =
        'Write in a neutral register for any reader. Use standard words and complete sentences of mixed ' +
        'length, and neither slang nor stiff formality.';
      const result = setRubricDirectives(source, { 3: three, 1: 'Chat like a friend.' }, 'formality.yaml');
      assert.deepEqual(result.problems, []);
      const { added, removed } = lineDiff(source, result.text!);
      assert.ok(
        removed.every((l) => / {2}1: >-| {2}3: >-|^ {4}\S/.test(l)),
        `only old entries 1 and 3 went: ${removed.join(' | ')}`,
      );
      assert.ok(
        added.every((l) => /^ {2}[13]: | {4}\S/.test(l)),
        added.join(' | '),
      );
      assert.ok(
        result.text!.startsWith(source.slice(0, source.indexOf('directives:'))),
        'everything before directives: is byte for byte the same',
      );
      assert.match(result.text!, /^# Built-in rubric: how formal/);
      assert.equal(result.rubric!.directives[3], three);
      assert.equal(
        result.rubric!.directives[2],
        parseRubric(source, 'f').rubric!.directives[2],
        'other levels are kept',
      );
      // Entries stay in level order; a comment between entries stays too.
      const withComment = source.replace('  2: >-', '  # level two is hand-written\n  2: >-');
      const again = setRubricDirectives(withComment, { 3: 'Three.' }, 'f.yaml');
      assert.match(again.text!, /# level two is hand-written\n {2}2: >-/);
      const order = [...again.text!.matchAll(/^ {2}(\d): /gm)].map((m) => m[1]);
      assert.deepEqual(order, ['1', '2', '3', '4', '5']);
    },
  );

  it('inserts a missing level between existing ones', () => {
    const lines = validRubricLines().join('\n');
    const source = `${lines.replace('  1: Write at level one.', '  1: Write at level one. # the low end')}\n`;
    const r = setRubricDirectives(source, { 3: 'Three.' }, 'x.yaml');
    assert.deepEqual(r.problems, []);
    assert.equal(r.text, source.replace('  5: Write at level five.', '  3: Three.\n  5: Write at level five.'));
  });

  it('refuses a directive that would not load (over 256 tokens), writing nothing', () => {
    const source = `${validRubricLines().slice(0, 12).join('\n')}\n`;
    const r = setRubricDirectives(source, { 2: 'word '.repeat(400).trim() }, 'x.yaml');
    assert.equal(r.text, undefined);
    assert.match(r.problems[0].message, /directive for level 2 is about \d+ tokens; keep it under 256/);
  });

  it("cleans a teacher's directive: quotes and labels off, cut to the token budget at a sentence end", () => {
    assert.equal(cleanDirective('"Write plainly. Use short words."'), 'Write plainly. Use short words.');
    assert.equal(cleanDirective('System prompt: Write plainly.'), 'Write plainly.');
    const long = Array.from({ length: 80 }, (_, i) => `Sentence number ${i} says one more thing.`).join(' ');
    const cut = cleanDirective(long);
    assert.ok(estimateTokens(cut) <= MAX_DIRECTIVE_TOKENS);
    assert.match(cut, /^Sentence number 0 .* says one more thing\.$/);
    assert.throws(() => cleanDirective('  ""  '), /empty directive/);
  });
});

describe(
  'directives: generate --summarize → cpt-writer directives → the extension serves the same ' + 'prompts',
  function () {
    this.timeout(60_000);
    let server: FakeOpenAIServer;
    let dir: string;

    beforeEach(async () => {
      server = new FakeOpenAIServer();
      await server.start();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-directives-'));
    });
    afterEach(async () => {
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it(
      'after writing, rewritePrompt in directive mode returns exactly the stored system prompts, and ' +
        'generate asks nothing again',
      async () => {
        const rubricDir = path.join(dir, 'rubrics');
        await fs.mkdir(rubricDir);
        const rubricFile = path.join(rubricDir, 'suspense.yaml');
        const original =
          `# Our copy of the suspense rubric, with a comment to ` + `keep.\n${await fs.readFile(SUSPENSE, 'utf8')}`;
        await fs.writeFile(rubricFile, original);
        const load = async () => (await loadRubrics({ extraDirs: [rubricDir], includeBuiltin: false })).rubrics[0];
        server.reply = (body, n) =>
          body.messages[1].content.startsWith('Write the system prompt')
            ? `Directive ${n}: tell the story with exactly this much tension.\nKeep every fact.`
            : `Output ${n}.`;
        const generator = new EndpointGenerator({ baseURL: server.baseUrl, model: 'teacher' });
        const texts = ['A passage to rewrite.', 'Another passage, with a second clause.'];
        const run = (rubric: Awaited<ReturnType<typeof load>>) =>
          runGenerate({
            outDir: path.join(dir, 'out'),
            kind: 'texts',
            tasks: parseInput(texts.join('\n'), 'texts').tasks,
            rubrics: [rubric],
            levels: [1, 3, 5],
            summarize: true,
            teacher: { generator, name: generator.name },
          });
        const outcome = await run(await load());
        assert.equal(outcome.status, 'complete');
        const requests = server.chats.length;
        assert.equal(requests, 3 + 6);

        const cliRun = await runNode(CLI_MAIN, [
          'directives',
          path.join(dir, 'out', 'directives.json'),
          '--rubric-file',
          rubricFile,
        ]);
        assert.equal(cliRun.code, 0, cliRun.stderr);
        assert.match(cliRun.stderr, /wrote the directives for levels 1, 3, 5 of 'suspense'/);
        const written = await fs.readFile(rubricFile, 'utf8');
        assert.ok(written.startsWith(original), 'the rubric file is only added to');

        const rubric = await load();
        const samples: GenerateSample[] = (await fs.readFile(path.join(dir, 'out', 'samples.jsonl'), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        assert.equal(samples.length, 6);
        for (const s of samples) {
          const text = texts.find((t) => s.user.includes(t))!;
          const served = rewritePrompt(text, { rubric, level: s.level as Level }, 'directive', 'plaintext');
          assert.equal(
            served.system,
            s.system,
            `level ${s.level}: the extension serves the system prompt the data was made with`,
          );
          assert.equal(served.user, s.user);
        }
        // The rubric now carries the directives, yet it is the same rubric to the teacher: nothing is redone.
        const rerun = await run(rubric);
        assert.equal(rerun.status, 'complete');
        assert.equal(server.chats.length, requests);
      },
    );

    it('refuses directives made from another version of the rubric unless --force, and picks levels', async () => {
      const rubricFile = path.join(dir, 'suspense.yaml');
      await fs.writeFile(rubricFile, await fs.readFile(SUSPENSE, 'utf8'));
      const directivesFile = path.join(dir, 'directives.json');
      await fs.writeFile(
        directivesFile,
        JSON.stringify({
          v: 1,
          teacher: 't',
          kind: 'texts',
          rubrics: {
            suspense: { title: 'Suspense', hash: '0000000000000000', levels: { 1: 'Flat.', 5: 'Gripping.' } },
          },
        }),
      );
      const refused = await runNode(CLI_MAIN, ['directives', directivesFile, '--rubric-file', rubricFile]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /differs from the one the directives were made from.*Pass --force/);
      const forced = await runNode(CLI_MAIN, [
        'directives',
        directivesFile,
        '--rubric-file',
        rubricFile,
        '--force',
        '--levels',
        '5',
      ]);
      assert.equal(forced.code, 0, forced.stderr);
      const r = parseRubric(await fs.readFile(rubricFile, 'utf8'), rubricFile).rubric!;
      assert.deepEqual(r.directives, { 5: 'Gripping.' });
      const other = await runNode(CLI_MAIN, [
        'directives',
        directivesFile,
        '--rubric-file',
        rubricFile,
        '--rubric',
        'formality',
      ]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /has no directives for the rubric 'formality'; it has: suspense/);
      await fs.writeFile(directivesFile, '{ broken');
      const broken = await runNode(CLI_MAIN, ['directives', directivesFile, '--rubric-file', rubricFile]);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /directives\.json is not valid JSON/);
    });
  },
);
