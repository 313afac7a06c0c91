// The markup guard, context, note and rewriting in parts against the real node-llama-cpp on a generated
// random-weight model (its output is gibberish, so every citation and link is lost), and the CLI's
// warning, --strict-markup exit code and long-text path, byte for byte what the core returns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, type ModelInfo } from '../../src/core/engine';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import { createPartsPrinter, rewriteInParts, runRewrite, type PartsJob } from '../../src/core/rewrite';
import { runCli } from '../unit/helpers/run-node';
import { testEngineOptions, testModels } from '../unit/helpers/test-models';

describe('markup guard and parts with node-llama-cpp', function () {
  this.timeout(180_000);
  let rubric: Rubric;
  let engine: EngineClient;
  let model: ModelInfo;
  let tiny: string;
  let dir: string;
  const paragraphs = [
    'The first paragraph says what the study is about, in a few plain words, and then it stops here.',
    'The second one cites the classic result \\cite{knuth84} and explains why it matters for us now.',
    'The third paragraph closes the text with a short summary of the findings and a look ahead.',
  ];
  const long = `${paragraphs.join('\n\n')}\n`;
  const cliEngine = ['--threads', '1', '--gpu', 'off', '--context-size', '4096'];

  before(async () => {
    rubric = (await loadRubrics()).rubrics.find((r) => r.id === 'concision') as Rubric;
    ({ tiny } = await testModels());
    engine = new EngineClient(testEngineOptions({ contextSize: 4096 }));
    model = await engine.load(tiny);
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-markup-'));
  });
  after(async () => {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const partsJob = (extra: Partial<PartsJob> = {}): PartsJob => ({
    text: long,
    style: { rubric, level: 2 },
    promptMode: 'directive',
    model,
    source: { languageId: 'latex', path: '' },
    sampling: { temperature: 0, maxTokens: 20 },
    contextTokens: 32,
    contextSize: 4096,
    ...extra,
  });

  it('runRewrite reports the citation the model lost, in the outcome and the record', async () => {
    const out = await runRewrite(engine, {
      text: 'As \\cite{knuth84} shows, it works.',
      style: { rubric, level: 2 },
      promptMode: 'directive',
      model,
      source: { languageId: 'latex', path: 'paper.tex' },
      sampling: { temperature: 0, maxTokens: 12 },
    });
    assert.equal(out.status, 'done', JSON.stringify(out.raw));
    if (out.status !== 'done') return;
    assert.ok(out.markupLost.includes('lost: \\cite{knuth84}'), JSON.stringify(out.markupLost));
    assert.deepEqual(out.record.markupLost, out.markupLost);
  });

  it(
    'rewriteInParts rewrites paragraph by paragraph, streams the combined text and keeps the blank ' + 'lines',
    async () => {
      let printed = '';
      const printer = createPartsPrinter(long);
      const out = await rewriteInParts(
        engine,
        partsJob({
          onPart: (e) => {
            printed += printer.part(e);
          },
          onToken: (p) => {
            printed += printer.token(p);
          },
        }),
      );
      printed += printer.finish();
      assert.equal(out.status, 'done');
      if (out.status !== 'done') return;
      assert.equal(out.parts.length, 3);
      assert.equal(printed, out.text);
      assert.ok(out.text.endsWith('\n'));
      for (let k = 1; k < 3; k++)
        assert.equal(out.text.slice(out.parts[k - 1].proposalRange!.end, out.parts[k].proposalRange!.start), '\n\n');
      assert.ok(out.markupLost.includes('lost: \\cite{knuth84}'));
      assert.equal(new Set(out.records.map((r) => r.part?.group)).size, 1);
      assert.ok(out.records.every((r) => r.part?.count === 3));
    },
  );

  it('cancel during the second part stops everything', async () => {
    const ac = new AbortController();
    const out = await rewriteInParts(
      engine,
      partsJob({
        signal: ac.signal,
        onToken: (_p, part) => {
          if (part === 1) ac.abort();
        },
      }),
    );
    assert.equal(out.status, 'cancelled');
    assert.equal(out.parts.length, 2);
  });

  it(
    'the CLI warns about lost markup on stderr and exits 3 with --strict-markup, with the same text ' + 'on stdout',
    async () => {
      const file = path.join(dir, 'paper.tex');
      writeFileSync(file, 'As \\cite{knuth84} shows, it works.\n');
      const args = [
        'rewrite',
        '--model',
        tiny,
        '--rubric',
        'concision',
        '--level',
        '2',
        '--file',
        file,
        '--mode',
        'directive',
        '--max-tokens',
        '12',
        '--temperature',
        '0',
        ...cliEngine,
      ];
      const warned = await runCli(args);
      assert.equal(warned.code, 0, warned.stderr);
      assert.match(warned.stderr, /warning: the rewrite lost markup of the latex text:\n {2}lost: \\cite\{knuth84\}/);
      const strict = await runCli([...args, '--strict-markup']);
      assert.equal(strict.code, 3, strict.stderr);
      assert.equal(strict.stdout, warned.stdout);
      assert.ok(strict.stdout.length > 0);
    },
  );

  it('the CLI takes the document type from --language over the extension', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'Read [the docs](https://example.org/docs) first.\n');
    const args = [
      'rewrite',
      '--model',
      tiny,
      '--rubric',
      'concision',
      '--level',
      '2',
      '--file',
      file,
      '--mode',
      'directive',
      '--max-tokens',
      '12',
      '--temperature',
      '0',
      ...cliEngine,
    ];
    const md = await runCli([...args, '--language', 'markdown']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(
      md.stderr,
      /lost markup of the markdown text:\n {2}lost: \[the docs\]\(https:\/\/example\.org\/docs\)/,
    );
    const plain = await runCli(args);
    assert.match(plain.stderr, /lost markup of the plaintext text:\n {2}lost: https:\/\/example\.org\/docs/);
  });

  it(
    'the CLI rewrites a long text in parts with the note and context, byte for byte what rewriteInParts ' + 'returns',
    async () => {
      const file = path.join(dir, 'long.tex');
      const before = path.join(dir, 'before.tex');
      writeFileSync(file, long);
      writeFileSync(before, 'An earlier section introduced the method.\n\n');
      const cli = await runCli([
        'rewrite',
        '--model',
        tiny,
        '--rubric',
        'concision',
        '--level',
        '2',
        '--file',
        file,
        '--mode',
        'directive',
        '--max-tokens',
        '20',
        '--temperature',
        '0',
        '--note',
        'British spelling',
        '--context-before',
        before,
        '--context-tokens',
        '32',
        '--verbose',
        ...cliEngine,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stderr, /part 1 of 3\n[\s\S]*part 3 of 3\n/);
      const out = await rewriteInParts(
        engine,
        partsJob({
          note: 'British spelling',
          surrounding: { before: 'An earlier section introduced the method.\n\n', after: '' },
          source: { languageId: 'latex', path: file },
        }),
      );
      assert.equal(out.status, 'done');
      assert.equal(cli.stdout, out.status === 'done' ? out.text : '');
      assert.ok(out.status === 'done' && out.records.every((r) => r.note === 'British spelling'));
      assert.ok(
        out.status === 'done' && out.records[0].context?.before === 'An earlier section introduced the method.',
      );
      // The random model writes much the same whatever the prompt, so the prompt sizes show that the CLI sent
      // the note and the context: the same as the core with them, not the same as without.
      const promptTokens = Number(/prompt (\d+) tokens/.exec(cli.stderr)?.[1]);
      assert.equal(promptTokens, out.result.promptTokens);
      const bare = await rewriteInParts(engine, partsJob());
      assert.ok(bare.result.promptTokens < promptTokens, `${bare.result.promptTokens} < ${promptTokens}`);
    },
  );

  it('the CLI says which context file it cannot read', async () => {
    const file = path.join(dir, 'x.txt');
    writeFileSync(file, 'Some text.\n');
    const r = await runCli([
      'rewrite',
      '--model',
      tiny,
      '--rubric',
      'concision',
      '--level',
      '2',
      '--file',
      file,
      '--context-after',
      path.join(dir, 'missing.txt'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read .*missing\.txt/);
  });
});
