// The passages an evaluation rewrites: JSONL {"id","register","languageId","text"} (samples/eval/texts.jsonl)
// or one passage a line. Lines are read (once) by core/generate's parseInput, so ids and bad lines are handled
// as for `cpt-writer generate`; the language id and register come along when the line has them.
import { parseInput } from '../generate/input';
import type { InputProblem } from '../generate/types';
import type { EvalText } from './types';

export interface ParsedEvalTexts {
  texts: EvalText[];
  problems: InputProblem[];
}

const LANGUAGE_ID = /^[A-Za-z0-9_.+-]{1,64}$/;

export function parseEvalTexts(content: string): ParsedEvalTexts {
  const input = parseInput(content, 'texts');
  const problems = [...input.problems];
  const texts: EvalText[] = [];
  for (const t of input.tasks) {
    let languageId = 'plaintext';
    let register: string | undefined;
    if (input.format === 'jsonl') {
      const o = input.objects.get(t.line) ?? {};
      if (o.languageId !== undefined) {
        if (typeof o.languageId !== 'string' || !LANGUAGE_ID.test(o.languageId)) {
          problems.push({
            line: t.line,
            message:
              `"languageId" must be a VS Code language id such as markdown or latex, got ` +
              `${JSON.stringify(o.languageId)}`,
          });
          continue;
        }
        languageId = o.languageId;
      }
      if (typeof o.register === 'string' && o.register.trim()) register = o.register.trim();
    }
    texts.push({ id: t.id, text: t.text, languageId, ...(register ? { register } : {}), line: t.line });
  }
  problems.sort((a, b) => a.line - b.line);
  return { texts, problems };
}

/**
 * Writing prompts for free writing (eval --tasks): the JSONL generate's --tasks reads, {"id","prompt"}. Each
 * prompt is the user message under the style's system prompt, as the paper evaluates generation.
 */
export function parseEvalTasks(content: string): ParsedEvalTexts {
  const input = parseInput(content, 'tasks');
  return {
    texts: input.tasks.map((t) => ({ id: t.id, text: t.text, languageId: 'plaintext', line: t.line })),
    problems: [...input.problems].sort((a, b) => a.line - b.line),
  };
}
