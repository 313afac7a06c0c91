// --rubric ID lookups for the commands: an unknown id prints the problems of invalid rubric files (the
// rubric may be missing because its file is broken) and the ids that do exist.
import { errorProblems, formatProblem, loadRubrics, type Rubric } from '../core/rubrics';
import { CliError } from './command';
import { terminalSafe } from './terminal-text';

/** The rubrics named by `ids`, in that order, from the built-ins and `dirs`. */
export async function findRubrics(ids: readonly string[], dirs: readonly string[] = []): Promise<Rubric[]> {
  const { rubrics, problems } = await loadRubrics({ extraDirs: [...dirs] });
  const missing = ids.filter((id) => !rubrics.some((r) => r.id === id));
  if (missing.length) {
    for (const p of errorProblems(problems)) process.stderr.write(`${terminalSafe(formatProblem(p))}\n`);
    const known = rubrics.map((r) => r.id).join(', ') || '(none)';
    throw new CliError(`unknown rubric ${missing.map((id) => `'${id}'`).join(', ')}; known rubrics: ${known}`);
  }
  return ids.map((id) => rubrics.find((r) => r.id === id) as Rubric);
}

export async function findRubric(id: string, dirs: readonly string[] = []): Promise<Rubric> {
  return (await findRubrics([id], dirs))[0];
}
