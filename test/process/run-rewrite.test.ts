// core/rewrite: the one rewrite use case (prompt mode, prompts, sampling, clean-up, the feedback record),
// against the real node-llama-cpp on a generated model, and the CLI printing exactly what it returns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, type ModelInfo, type GenerateRequest, type GenerateResult } from '../../src/core/engine';
import { directiveFor, rubricPrompt, rewriteUserMessage } from '../../src/core/prompts';
import { loadRubrics, type Rubric } from '../../src/core/rubrics';
import {
  cleanRewrite,
  createOutputCleaner,
  languageOfFile,
  rewritePrompt,
  rewritePromptPrefix,
  runRewrite,
  samplingFor,
} from '../../src/core/rewrite';
import { markupLost } from '../../src/core/markup';
import { runCli } from '../unit/helpers/run-node';
import { testEngineOptions, testModels } from '../unit/helpers/test-models';

describe('rewrite output clean-up (cleanRewrite)', () => {
  it('strips one wrapping code fence or quote pair only when the original had none', () => {
    assert.equal(cleanRewrite('plain text', '```markdown\nNew text.\n```'), 'New text.');
    assert.equal(cleanRewrite('```\ncode\n```', '```\nnew code\n```'), '```\nnew code\n```');
    assert.equal(cleanRewrite('a sentence', '\u201cA better sentence.\u201d'), 'A better sentence.');
    assert.equal(cleanRewrite('"quoted"', '"still quoted"'), '"still quoted"');
    assert.equal(cleanRewrite('x', '"A," she said, "B"'), '"A," she said, "B"');
  });

  it("keeps the original's own surrounding whitespace and normalises line endings", () => {
    assert.equal(cleanRewrite('\n  indented text\n', 'New text'), '\n  New text\n');
    assert.equal(cleanRewrite('a\n', '\n\nline one\r\nline two\r\n\n'), 'line one\nline two\n');
    assert.equal(cleanRewrite('text', '  \n '), '');
  });
});

describe('streaming clean-up (createOutputCleaner)', () => {
  const stream = (original: string, pieces: string[]) => {
    const c = createOutputCleaner(original);
    const out = pieces.map((p) => c.push(p));
    return { out, whole: out.join('') + c.end() };
  };

  it('prints what cleanRewrite returns for every split of many outputs', () => {
    const originals = ['plain text', '  indented\n', '"quoted"', '```\ncode\n```', '\n\nparagraph\n\n'];
    const outputs = [
      'A new sentence.',
      '  lead and trail  \n',
      '"wrapped in quotes"',
      '\u201ccurly\u201d',
      '```md\nfenced\n```',
      '"A," she said, "B"',
      'line\r\nbreaks\r\n',
      'ends with CR\r',
      '',
      '   ',
      '`code` first',
      'x',
      '«guillemets»',
    ];
    let rng = 7;
    const random = () => {
      rng = (rng * 1103515245 + 12345) % 2147483648;
      return rng / 2147483648;
    };
    for (const original of originals) {
      for (const output of outputs) {
        const expected = cleanRewrite(original, output);
        // Every single cut point, then random multi-piece splits.
        for (let cut = 0; cut <= output.length; cut++) {
          assert.equal(
            stream(original, [output.slice(0, cut), output.slice(cut)]).whole,
            expected,
            `${JSON.stringify(original)} / ${JSON.stringify(output)} cut at ${cut}`,
          );
        }
        for (let trial = 0; trial < 20; trial++) {
          const pieces: string[] = [];
          for (let i = 0; i < output.length;) {
            const n = 1 + Math.floor(random() * 4);
            pieces.push(output.slice(i, i + n));
            i += n;
          }
          assert.equal(stream(original, pieces).whole, expected);
        }
      }
    }
  });

  it('streams plain output as it arrives and holds output that may be wrapped until the end', () => {
    const plain = stream(' x ', ['Hello', ' wor', 'ld.  ']);
    assert.deepEqual(plain.out, [' Hello', ' wor', 'ld.']);
    assert.equal(plain.whole, ' Hello world. ');
    const quoted = stream('x', ['"Hello', ' world."']);
    assert.deepEqual(quoted.out, ['', '']);
    assert.equal(quoted.whole, 'Hello world.');
  });
});

describe('rewrite prompts and sampling', () => {
  let rubric: Rubric;
  before(async () => {
    rubric = (await loadRubrics()).rubrics.find((r) => r.id === 'formality') as Rubric;
  });

  it('builds exactly the system and user messages of the chosen mode', () => {
    const style = { rubric, level: 4 as const };
    assert.deepEqual(rewritePrompt('Hi there.', style, 'directive', 'markdown'), {
      mode: 'directive',
      system: directiveFor(rubric, 4),
      user: rewriteUserMessage('Hi there.', { languageId: 'markdown' }),
    });
    assert.equal(rewritePrompt('Hi there.', style, 'rubric').system, rubricPrompt(rubric, 4));
    const prefix = rewritePromptPrefix(style, 'rubric', 'latex');
    const full = rewritePrompt('Some text.', style, 'rubric', 'latex');
    assert.equal(prefix.system, full.system);
    assert.ok(full.user.startsWith(prefix.userPrefix) && prefix.userPrefix.length > 0);
  });

  it('a fresh candidate gets a new seed, and a sampling temperature when the setting is greedy', () => {
    assert.deepEqual(samplingFor({ sampling: { temperature: 0, maxTokens: 50 } }), { temperature: 0, maxTokens: 50 });
    assert.deepEqual(
      samplingFor({ sampling: { temperature: 0, maxTokens: 50 }, fresh: true }, () => 0.5),
      { temperature: 0.7, maxTokens: 50, seed: 1073741823 },
    );
    assert.equal(samplingFor({ sampling: { temperature: 1.1, seed: 3 }, fresh: true }).seed, 3);
    assert.equal(samplingFor({ sampling: { temperature: 1.1 }, fresh: true }).temperature, 1.1);
  });

  it('guesses the language of a file from its extension', () => {
    assert.equal(languageOfFile('paper.tex'), 'latex');
    assert.equal(languageOfFile('README.MD'), 'markdown');
    assert.equal(languageOfFile('notes'), undefined);
    assert.equal(languageOfFile(undefined), undefined);
  });
});

describe('runRewrite', function () {
  this.timeout(120_000);
  let rubric: Rubric;
  let engine: EngineClient;
  let model: ModelInfo;
  let tiny: string;
  const text = 'hey, the meeting got moved to 3pm, pls tell the others\n';

  before(async () => {
    rubric = (await loadRubrics()).rubrics.find((r) => r.id === 'concision') as Rubric;
    ({ tiny } = await testModels());
    engine = new EngineClient(testEngineOptions({ contextSize: 4096 }));
    model = await engine.load(tiny);
  });
  after(async () => {
    await engine.dispose();
  });

  const job = (extra: Partial<Parameters<typeof runRewrite>[1]> = {}) => ({
    text,
    style: { rubric, level: 2 as const },
    promptMode: 'auto' as const,
    model,
    source: { languageId: 'plaintext', path: 'notes/meeting.txt' },
    sampling: { temperature: 0, maxTokens: 12 },
    ...extra,
  });

  it('picks rubric mode for a model that is not CPT-tuned and directive mode when asked', async () => {
    const auto = await runRewrite(engine, job());
    assert.equal(auto.prompt.mode, 'rubric');
    assert.equal(auto.prompt.system, rubricPrompt(rubric, 2));
    const directive = await runRewrite(engine, job({ promptMode: 'directive' }));
    assert.equal(directive.prompt.mode, 'directive');
    assert.equal(directive.prompt.system, directiveFor(rubric, 2));
  });

  it(
    'streams raw pieces that join to the raw output, and returns the cleaned text with the record for ' + 'the log',
    async () => {
      const pieces: string[] = [];
      const out = await runRewrite(engine, job({ onToken: (p: string) => pieces.push(p) }));
      assert.equal(out.status, 'done', `the tiny model wrote nothing usable: ${JSON.stringify(out.raw)}`);
      if (out.status !== 'done') return;
      assert.equal(pieces.join(''), out.raw);
      assert.equal(out.text, cleanRewrite(text, out.raw));
      assert.ok(out.text.endsWith('\n'), "the original's trailing newline is kept");
      assert.deepEqual(out.record, {
        rubric: { id: 'concision', hash: rubric.hash },
        level: 2,
        mode: 'rubric',
        system: out.prompt.system,
        user: out.prompt.user,
        original: text,
        output: out.text,
        model: { name: model.name, file: model.file },
        sampling: { temperature: 0, maxTokens: 12 },
        document: { languageId: 'plaintext', path: 'notes/meeting.txt' },
        markupLost: out.markupLost,
      });
      assert.deepEqual(out.markupLost, markupLost(text, out.text, 'plaintext'));
      const again = await runRewrite(engine, job());
      assert.equal(again.status === 'done' && again.text, out.text, 'temperature 0 is deterministic within a run');
    },
  );

  it('a cancelled rewrite says so and keeps what was written so far', async () => {
    const ac = new AbortController();
    let got = 0;
    const out = await runRewrite(
      engine,
      job({
        sampling: { temperature: 0, maxTokens: 200 },
        signal: ac.signal,
        onToken: () => {
          if (++got === 2) ac.abort();
        },
      }),
    );
    assert.equal(out.status, 'cancelled');
    assert.ok(out.raw.length > 0 && out.result.outputTokens < 200);
    const before = await runRewrite(engine, job({ signal: AbortSignal.abort() }));
    assert.equal(before.status, 'cancelled');
  });

  it('output with nothing usable is empty, not a proposal', async () => {
    const blank = {
      generate: async (req: GenerateRequest): Promise<GenerateResult> => {
        req.onToken?.('  \n');
        return {
          text: '  \n',
          stopReason: 'eos',
          promptTokens: 1,
          reusedPromptTokens: 0,
          outputTokens: 1,
          timeToFirstTokenMs: 0,
          tokensPerSecond: 0,
          totalMs: 0,
        };
      },
    };
    assert.equal((await runRewrite(blank, job())).status, 'empty');
  });

  it('the CLI prints byte for byte the text runRewrite returns for the same model and settings', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-rewrite-'));
    try {
      const file = path.join(dir, 'meeting.txt');
      writeFileSync(file, text);
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
        '--threads',
        '1',
        '--gpu',
        'off',
        '--context-size',
        '4096',
        '--max-tokens',
        '12',
        '--temperature',
        '0',
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const out = await runRewrite(engine, job());
      assert.equal(out.status, 'done');
      assert.equal(cli.stdout, out.status === 'done' ? out.text : '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
