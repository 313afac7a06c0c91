// Checked option values shared by the commands: each throws UsageError naming the flag and what it got.
import { readFile } from 'node:fs/promises';
import { type Level, LEVELS, parseLevel } from '../core/rubrics';
import { CliError, UsageError } from './command';
import { errorMessage } from '../core/errors';

/** The value of a required flag. */
export function required<T>(value: T | undefined, flag: string, what: string): T {
  if (value === undefined || value === '') throw new UsageError(`missing --${flag} ${what}`);
  return value;
}

/** A whole number of at least `min`, or undefined when the flag was not given. */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be a whole number ${range}, got '${value}'`);
  }
  return Number(value);
}

/** A finite number of at least `min`, or undefined when the flag was not given. */
export function decimal(flag: string, value: string | undefined, min = 0, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `--${flag} must be a number ${max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`}, got '${value}'`,
    );
  }
  return n;
}

/** One of `allowed`, or undefined when the flag was not given. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    const choices = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `one of ${allowed.join(', ')}`;
    throw new UsageError(`--${flag} must be ${choices}, got '${value}'`);
  }
  return value as T;
}

/** A level 1..5. */
export function levelArg(flag: string, value: string | undefined): Level {
  const level = parseLevel(required(value, flag, 'N (1..5)'));
  if (level === undefined) throw new UsageError(`--${flag} must be a whole number from 1 to 5, got '${value}'`);
  return level;
}

/** A comma-separated list of distinct levels ("1,3,5"), sorted; `fallback` when the flag was not given. */
export function levelsArg(flag: string, value: string | undefined, fallback: readonly Level[] = LEVELS): Level[] {
  if (value === undefined) return [...fallback];
  const parts = value.split(',').map((p) => p.trim());
  const levels = parts.map(parseLevel);
  if (!parts.length || levels.some((l) => l === undefined))
    throw new UsageError(`--${flag} must list levels from 1 to 5 separated by commas (e.g. 1,3,5), got '${value}'`);
  const distinct = [...new Set(levels as Level[])].sort((a, b) => a - b);
  if (distinct.length !== levels.length) throw new UsageError(`--${flag} names a level twice: '${value}'`);
  return distinct;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of `file`, or of stdin when no file is given; an empty text is an error (`what` names the use). */
export async function readTextInput(file: string | undefined, what: string): Promise<string> {
  let text: string;
  try {
    text = file ? await readFile(file, 'utf8') : await readStdin();
  } catch (err) {
    throw new CliError(`cannot read ${file ?? 'stdin'}: ${errorMessage(err)}`);
  }
  if (!text.trim()) throw new CliError(`nothing to ${what}: ${file ?? 'stdin'} is empty`);
  return text;
}
