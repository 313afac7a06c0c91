import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import {
  LEVEL_TARGET_SCORE,
  estimateTokens,
  loadRubrics,
  parseRubric,
  type Level,
  type Rubric,
} from '../../src/core/rubrics';
import {
  TEXT_END,
  TEXT_START,
  deriveDirective,
  directiveFor,
  rewriteUserMessage,
  rewriteUserPrefix,
  rubricPrompt,
  systemPrompt,
  PLAIN_SYSTEM_PROMPT,
} from '../../src/core/prompts';
import { resolvePromptMode, rewritePrompt, rewritePromptPrefix } from '../../src/core/rewrite';
import { rubricFixturesDir } from '../fixtures/rubrics/paths';

const LEVELS: Level[] = [1, 2, 3, 4, 5];

function fixture(): Rubric {
  const file = path.join(rubricFixturesDir, 'valid', 'suspense.yaml');
  const { rubric, problems } = parseRubric(readFileSync(file, 'utf8'), file);
  assert.deepEqual(problems, []);
  return rubric!;
}

describe('prompts: plain mode (the no-style baseline)', () => {
  it('names no style, rubric or level: the same prompt at every level, and the prefix stays a prefix', () => {
    const rubric = fixture();
    const prompts = LEVELS.map((level) => rewritePrompt('Hello there.', { rubric, level }, 'plain', 'markdown'));
    for (const p of prompts) {
      assert.equal(p.mode, 'plain');
      assert.equal(p.system, PLAIN_SYSTEM_PROMPT);
      assert.deepEqual(p, prompts[0]);
      assert.doesNotMatch(p.user, /style|system prompt/i);
      assert.ok(!p.user.includes(rubric.title) && !p.system.includes(rubric.title));
      assert.match(p.user, /^Rewrite the text between the tags below\.\n/);
      assert.ok(p.user.endsWith(`${TEXT_START}\nHello there.\n${TEXT_END}`));
      const prefix = rewritePromptPrefix({ rubric, level: 3 }, 'plain', 'markdown');
      assert.ok(p.user.startsWith(prefix.userPrefix));
      assert.equal(prefix.system, PLAIN_SYSTEM_PROMPT);
    }
    // The styled modes keep their wording, byte for byte.
    const directive = rewritePrompt('Hello there.', { rubric, level: 3 }, 'directive', 'markdown');
    assert.equal(directive.user, rewriteUserMessage('Hello there.', { languageId: 'markdown' }));
    assert.match(directive.user, /in the style described in the system prompt/);
    assert.equal(systemPrompt(rubric, 3, 'plain'), PLAIN_SYSTEM_PROMPT);
    assert.equal(resolvePromptMode('plain', { name: 'configurable-preference-qwen3-4b', cptTuned: true }), 'plain');
  });
});

describe('prompts: mode', () => {
  it('keeps explicit settings', () => {
    assert.equal(resolvePromptMode('directive', { name: 'llama-3.2-1b.gguf' }), 'directive');
    assert.equal(resolvePromptMode('rubric', { name: 'configurable-preference-qwen3-4b', cptTuned: true }), 'rubric');
  });

  it("'auto' picks directive for CPT-tuned models by name or flag, rubric otherwise", () => {
    const auto = (name: string, cptTuned?: boolean) => resolvePromptMode('auto', { name, cptTuned });
    assert.equal(auto('hf:vicgalle/configurable-preference-qwen3-4b'), 'directive');
    assert.equal(auto('/models/Configurable_Preference-Phi4.Q4_K_M.gguf'), 'directive');
    // A bare CPT (continued pre-training) is not a CPT-tuned model: the setting decides for those.
    assert.equal(auto('/models/mistral-nemo-CPT.Q4_K_M.gguf'), 'rubric');
    assert.equal(auto('/models/qwen2.5-cpt-medical.gguf'), 'rubric');
    assert.equal(auto('my-model.gguf', true), 'directive');
    assert.equal(auto('/models/Qwen3-4B-Q4_K_M.gguf'), 'rubric');
    // Only the file name counts: a folder named configurable-preference does not make every model CPT-tuned.
    assert.equal(auto('/home/me/configurable-preference/models/qwen3.gguf'), 'rubric');
    assert.equal(auto('/home/me/cpt-writer/models/qwen3.gguf'), 'rubric');
    assert.equal(auto('/models/acptor-7b.gguf'), 'rubric');
    assert.equal(resolvePromptMode('auto', undefined), 'rubric');
  });

  it("'auto' never treats our random-weight test model as CPT-tuned, and the engine's flag outranks the name", () => {
    assert.equal(resolvePromptMode('auto', { name: 'CPT Writer random-weight test model' }), 'rubric');
    assert.equal(
      resolvePromptMode('auto', { name: 'configurable-preference-qwen3-4b.Q4_K_M.gguf', cptTuned: false }),
      'rubric',
    );
  });
});

describe('prompts: directive mode', () => {
  it('uses the authored directive for every built-in level', async () => {
    const { rubrics } = await loadRubrics();
    for (const r of rubrics) {
      for (const level of LEVELS) {
        assert.equal(directiveFor(r, level), r.directives[level]);
        assert.equal(systemPrompt(r, level, 'directive'), r.directives[level]);
      }
    }
  });

  it("derives a short directive naming the style, level and that level's criteria when none is authored", () => {
    const r = fixture();
    assert.deepEqual(r.directives, {});
    const seen = new Set<string>();
    for (const level of LEVELS) {
      const d = directiveFor(r, level);
      seen.add(d);
      assert.ok(d.includes('Suspense'), d);
      assert.ok(d.includes(`"${r.levels[level - 1]}"`), d);
      assert.ok(d.includes(`level ${level} of 5`), d);
      // The heaviest criterion's description at this level is in it (first clause, lower-cased).
      const first = r.criteria[0].levels[level - 1].split(/[.;]/)[0];
      assert.ok(d.toLowerCase().includes(first.toLowerCase()), `${d}\n  lacks: ${first}`);
      assert.ok(estimateTokens(d) <= 256);
      assert.equal(directiveFor(r, level), d, 'deterministic (cached)');
    }
    assert.equal(seen.size, 5);
  });

  it('keeps derived directives short for rubrics with many long criteria', () => {
    const long =
      'This description goes on and on about what the writing does at this level, with many words and examples';
    const text = [
      'id: wordy',
      'title: Wordy',
      'summary: Long.',
      'levels: [A, B, C, D, E]',
      'criteria:',
      ...[1, 2, 3, 4, 5].map(
        (i) =>
          `  - name: Criterion ${i}\n    weight: 20\n    levels: ["${long} 1.", "${long} 2.", "${long} ` +
          `3.", "${long} 4.", "${long} 5."]`,
      ),
    ].join('\n');
    const r = parseRubric(text, 'w.yaml').rubric!;
    const d = deriveDirective(r, 3);
    assert.ok(estimateTokens(d) <= 200, `${estimateTokens(d)} tokens`);
    // The heaviest criteria come first and the rest are dropped to fit.
    assert.ok(d.includes('criterion 1:'), d);
    assert.ok(!d.includes('criterion 5:'), d);
  });
});

describe('prompts: rubric mode', () => {
  it('holds the whole rubric and the target score and level name', async () => {
    const { rubrics } = await loadRubrics();
    const r = rubrics.find((x) => x.id === 'formality')!;
    for (const level of LEVELS) {
      const p = rubricPrompt(r, level);
      assert.equal(systemPrompt(r, level, 'rubric'), p);
      assert.ok(
        p.includes(
          `Aim for a score of about ${LEVEL_TARGET_SCORE[level]}/100, i.e. level ${level} "${r.levels[level - 1]}"`,
        ),
        p,
      );
      for (const c of r.criteria) {
        assert.ok(p.includes(`${c.name} (weight ${c.weight}%)`));
        for (const description of c.levels) assert.ok(p.includes(description));
      }
      for (const name of r.levels) assert.ok(p.includes(`"${name}"`));
      assert.ok(p.includes(r.scoring));
      assert.ok(p.includes(r.summary));
    }
    assert.notEqual(rubricPrompt(r, 1), rubricPrompt(r, 5));
  });

  it('works for rubrics without scoring notes or directives', () => {
    const r = { ...fixture(), scoring: '' };
    const p = rubricPrompt(r, 2);
    assert.ok(p.includes('about 30/100, i.e. level 2 "Calm"'));
    assert.ok(p.includes('## Scoring notes\nScore bands: level 1 ≈ 10'), p);
  });
});

describe('prompts: rewrite user message', () => {
  it('asks to keep meaning, language and markup, output only the text, and delimits the text', () => {
    const text = 'See \\cite{knuth84} and [the docs](https://example.org) for `x = 1`.';
    const m = rewriteUserMessage(text, { languageId: 'markdown' });
    assert.match(m, /style described in the system prompt/);
    assert.match(m, /meaning/);
    assert.match(m, /language \(do not translate\)/);
    assert.match(m, /markup intact/);
    assert.ok(m.includes('\\cite{}') && m.includes('\\ref{}'));
    assert.match(m, /URLs/);
    assert.match(m, /Output only the rewritten text: no preamble, no quotes, no explanations/);
    assert.ok(m.endsWith(`${TEXT_START}\n${text}\n${TEXT_END}`));
  });

  it('has a text-independent start for prewarming, ending before the opening tag', () => {
    for (const languageId of ['markdown', 'latex', undefined]) {
      const prefix = rewriteUserPrefix({ languageId });
      assert.ok(prefix.endsWith('tags.\n\n') && !prefix.includes(`${TEXT_START}\n`), prefix);
      assert.ok(rewriteUserMessage('Any text at all.', { languageId }).startsWith(prefix));
    }
    assert.notEqual(rewriteUserPrefix({ languageId: 'latex' }), rewriteUserPrefix({ languageId: 'markdown' }));
  });

  it('tailors one line to the document language', () => {
    assert.match(rewriteUserMessage('x', { languageId: 'markdown' }), /The text is Markdown/);
    assert.match(rewriteUserMessage('x', { languageId: 'latex' }), /The text is LaTeX: .*\\label\{\.\.\.\}.*math/);
    assert.match(rewriteUserMessage('x', { languageId: 'plaintext' }), /plain prose/);
    assert.match(rewriteUserMessage('x'), /plain prose/);
    const py = rewriteUserMessage('# a comment', { languageId: 'python' });
    assert.match(py, /comment from python code: keep the comment markers/);
    assert.doesNotMatch(py, /The text is Markdown/);
  });

  it('keeps the text byte for byte, including newlines and indentation', () => {
    const text = '  // first line\n  // second line\n';
    const m = rewriteUserMessage(text, { languageId: 'typescript' });
    assert.ok(m.includes(`${TEXT_START}\n${text}\n${TEXT_END}`));
  });
});
