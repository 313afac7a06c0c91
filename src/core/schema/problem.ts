// Helpers for the valibot schemas that check what the project reads from disk and settings (feedback log
// lines, sample lines, settings entries): every message is written for a person, and a problem reads
// "<path> <message>" (e.g. `candidates[0].score must be a whole number 0-100, got 120`), naming the field.
// valibot is a devDependency on purpose: esbuild bundles it into every runtime file (dist/extension.js,
// dist/engine-process.js, dist/cli.js, which bin/cpt-writer.js loads, and media/webview.js); out/ is
// tsc's output for the tests only, so nothing shipped requires it at run time.
import * as v from 'valibot';

/** How a value that failed a check is shown in its message: short, and never a long string. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return x.length > 40 ? `a string` : JSON.stringify(x);
  if (typeof x === 'object') return 'an object';
  return typeof x === 'undefined' ? 'nothing' : `${typeof x} ${String(x)}`;
}

/** A message function: `must …, got <the value>`. */
export const got =
  (what: string) =>
  (issue: v.BaseIssue<unknown>): string =>
    `${what}, got ${describeValue(issue.input)}`;

/** The path of an issue as a person writes it: `rubric.id`, `candidates[2].seed`. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * An open object (unknown keys pass) that is not an array, whose messages name the field: a missing key
 * reads as what its own schema says of nothing (`id must be a string, got nothing`), not as valibot's
 * generic "invalid key". `whatIsIt` is the message when the value is not an object at all.
 */
export function fields<E extends v.ObjectEntries>(entries: E, whatIsIt = got('must be an object')) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, whatIsIt),
    v.object(entries, (issue) => {
      // valibot reports a missing key on the object itself, with a path item whose origin is 'key'.
      const last = issue.path?.[issue.path.length - 1] as { origin?: string; key?: unknown } | undefined;
      if (last?.origin !== 'key') return whatIsIt(issue);
      const key = String(last.key);
      const missing = v.safeParse(entries[key], undefined, { abortEarly: true });
      return missing.success ? `${key} is missing` : missing.issues[0].message;
    }),
  );
}

/**
 * The first problem of `x` against `schema` as "<path> <message>", or undefined when it passes. With
 * `{ path: false }` just the message, for schemas whose messages name their field themselves.
 */
export function firstProblem(schema: v.GenericSchema, x: unknown, opts: { path?: boolean } = {}): string | undefined {
  const r = v.safeParse(schema, x, { abortEarly: true });
  if (r.success) return undefined;
  const issue = r.issues[0];
  const path = opts.path === false ? '' : issuePath(issue);
  return path ? `${path} ${issue.message}` : issue.message;
}
