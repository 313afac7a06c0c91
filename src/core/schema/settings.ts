// The settings that hold objects or lists (cptWriter.loraAdapters, cptWriter.judgeLoraAdapters,
// cptWriter.rubricDirectories), checked by valibot schemas here, without `vscode`, so the checks are
// unit-tested in plain Node. A hand-edited settings.json can hold anything: each entry is checked on
// its own, a bad one is left out with a problem naming the setting and the entry's index, and the
// extension words the problem for a person (src/vscode/common/config.ts, through vscode.l10n.t).
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { filePathFromUrl } from '../engine/model-spec';
import type { LoraAdapter } from '../engine/types';
import { errorMessage } from '../errors';
import { got, isPlainObject } from './problem';

/**
 * One entry of an adapter list as written: a path, or `{ "path", "scale" }` (scale 1 when left out). The
 * issue messages are the problem kinds ('entry', 'path', 'scale') that AdapterProblem names.
 */
export const adapterEntrySchema = v.pipe(
  v.custom<string | Record<string, unknown>>((x) => typeof x === 'string' || isPlainObject(x), 'entry'),
  v.transform((e) => (typeof e === 'string' ? { path: e } : e)),
  v.object(
    {
      path: v.pipe(v.string('path'), v.trim(), v.nonEmpty('path')),
      scale: v.optional(v.pipe(v.number('scale'), v.finite('scale')), 1),
    },
    'path',
  ),
);
export type AdapterEntry = v.InferOutput<typeof adapterEntrySchema>;

/** What is wrong with an adapter list setting, or with its entry `index`. */
export type AdapterProblem =
  | { kind: 'list' }
  | { kind: 'entry' | 'path' | 'scale'; index: number }
  /** A file: URL that names no local file; `detail` says why. */
  | { kind: 'url'; index: number; detail: string }
  /** Neither absolute nor starting with ~: the setting is machine-wide, so nothing to be relative to. */
  | { kind: 'relative'; index: number; path: string };

/**
 * An adapter list setting, checked: the usable entries, paths made absolute (file: URLs decoded, `~`
 * expanded), and a problem for each entry left out.
 */
export function parseAdapterList(
  value: unknown,
  home: string = os.homedir(),
): { adapters: LoraAdapter[]; problems: AdapterProblem[] } {
  const adapters: LoraAdapter[] = [];
  const problems: AdapterProblem[] = [];
  if (value === undefined || value === null) return { adapters, problems };
  if (!Array.isArray(value)) return { adapters, problems: [{ kind: 'list' }] };
  value.forEach((raw: unknown, index) => {
    const r = v.safeParse(adapterEntrySchema, raw, { abortEarly: true });
    if (!r.success) {
      const kind = r.issues[0].message as 'entry' | 'path' | 'scale';
      problems.push({ kind, index });
      return;
    }
    const p = r.output.path;
    let expanded: string;
    try {
      expanded = /^file:/i.test(p)
        ? filePathFromUrl(p)
        : p === '~' || p.startsWith('~/') || p.startsWith('~\\')
          ? path.join(home, p.slice(1))
          : p;
    } catch (err) {
      problems.push({ kind: 'url', index, detail: errorMessage(err) });
      return;
    }
    if (!path.isAbsolute(expanded)) {
      problems.push({ kind: 'relative', index, path: p });
      return;
    }
    adapters.push({ path: expanded, scale: r.output.scale });
  });
  return { adapters, problems };
}

/** One folder entry of cptWriter.rubricDirectories: a non-blank string (kept as written). */
export const folderEntrySchema = v.pipe(
  v.string(got('must be a folder path (a string)')),
  v.check((s) => s.trim() !== '', 'is blank'),
);

/** A list of folder entries, checked: the usable ones in order, and `setting[i] <why>` for each left out. */
export function parseFolderList(value: unknown, setting: string): { folders: string[]; problems: string[] } {
  if (value === undefined || value === null) return { folders: [], problems: [] };
  if (!Array.isArray(value)) return { folders: [], problems: [`${setting} must be a list of folder paths`] };
  const folders: string[] = [];
  const problems: string[] = [];
  value.forEach((raw: unknown, i) => {
    const r = v.safeParse(folderEntrySchema, raw, { abortEarly: true });
    if (r.success) folders.push(r.output);
    else problems.push(`${setting}[${i}] ${r.issues[0].message}`);
  });
  return { folders, problems };
}
