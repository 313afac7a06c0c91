// Finds rubric files in folders and loads them, keeping valid rubrics when others are broken.
import { existsSync, readFileSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseRubricText, type ParsedRubric } from './parse';
import { readRubricFile } from './read-file';
import type { Rubric, RubricLoadResult, RubricProblem } from './types';
import { errorMessage } from '../errors';

const PACKAGE_NAME = 'cpt-writer';
let cachedBuiltinDir: string | undefined;

/**
 * The `rubrics/` folder next to our package.json. Walking up from __dirname works from every place the
 * code runs: out/src/core/rubrics (tsc output, tests), dist/ (esbuild bundles) and an installed VSIX.
 */
export function builtinRubricsDir(): string {
  if (cachedBuiltinDir) return cachedBuiltinDir;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) {
      return (cachedBuiltinDir = path.join(dir, 'rubrics'));
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    `cannot find the ${PACKAGE_NAME} package.json above ${__dirname}, so the built-in rubrics cannot be located`,
  );
}

function readPackageName(file: string): string | undefined {
  try {
    const name: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * The rubric files of one folder, sorted so load order (and so which duplicate wins) is stable, and the
 * folder's real path, which links in it must stay inside. Sub-folders are not rubrics; every other
 * *.yaml / *.yml entry is, and readRubricFile says why one that is not a regular file is skipped.
 */
async function rubricFiles(dir: string, problems: RubricProblem[]): Promise<{ files: string[]; real: string }> {
  try {
    const real = await realpath(dir);
    const entries = await readdir(real, { withFileTypes: true });
    const files = entries
      .filter((e) => !e.isDirectory() && /\.ya?ml$/i.test(e.name))
      .map((e) => path.join(dir, e.name))
      .sort();
    return { files, real };
  } catch (err) {
    // A folder that does not exist (yet) is normal: e.g. no workspace .cpt-writer/rubrics.
    if (errorCode(err) !== 'ENOENT')
      problems.push({ file: dir, line: 1, col: 1, message: `cannot read rubric folder: ${errorMessage(err)}` });
    return { files: [], real: dir };
  }
}

/** Never throws: a file that trips a bug in the checks is one broken rubric, not a failed load of all. */
function parseSafely(text: string, file: string, builtin: boolean): ParsedRubric {
  try {
    return parseRubricText(text, file, builtin);
  } catch (err) {
    return {
      problems: [
        {
          file,
          line: 1,
          col: 1,
          message: `cannot check this rubric file (an internal error; please report it): ${errorMessage(err)}`,
        },
      ],
    };
  }
}

/**
 * Loads every `*.yaml`/`*.yml` in the built-in folder (unless `includeBuiltin` is false) and in
 * `extraDirs`, in that order. Invalid files become problems; a rubric whose id was already loaded is a
 * "duplicate id" problem at its own id, naming the file that defined it first, and is not loaded.
 */
export async function loadRubrics(
  options: { extraDirs?: string[]; includeBuiltin?: boolean } = {},
): Promise<RubricLoadResult> {
  const problems: RubricProblem[] = [];
  const dirs: { dir: string; builtin: boolean }[] = [];
  if (options.includeBuiltin !== false) dirs.push({ dir: builtinRubricsDir(), builtin: true });
  for (const d of options.extraDirs ?? []) dirs.push({ dir: path.resolve(d), builtin: false });

  const seenDirs = new Set<string>();
  const byId = new Map<string, Rubric>();
  const rubrics: Rubric[] = [];
  for (const { dir, builtin } of dirs) {
    // The same folder listed twice (e.g. a setting that repeats the workspace folder) is not a clash.
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    const { files, real } = await rubricFiles(dir, problems);
    for (const file of files) {
      const read = await readRubricFile(file, real);
      if ('problem' in read) {
        problems.push(read.problem);
        continue;
      }
      const parsed = parseSafely(read.text, file, builtin);
      problems.push(...parsed.problems);
      if (!parsed.rubric) continue;
      const first = byId.get(parsed.rubric.id);
      if (first) {
        const at = parsed.idPosition ?? { line: 1, col: 1 };
        problems.push({
          file,
          ...at,
          message: `duplicate id '${parsed.rubric.id}': already defined in ${first.source.file}`,
        });
        continue;
      }
      byId.set(parsed.rubric.id, parsed.rubric);
      rubrics.push(parsed.rubric);
    }
  }
  return { rubrics, problems };
}

/** Problems that make a file invalid (warnings excluded). */
export function errorProblems(problems: RubricProblem[]): RubricProblem[] {
  return problems.filter((p) => p.severity !== 'warning');
}
