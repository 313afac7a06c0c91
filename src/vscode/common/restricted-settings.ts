// The settings whose workspace values VS Code ignores in an untrusted workspace (Restricted Mode): each names
// something to read or load (a rubric folder, a judge model) or sets how much memory and CPU a request takes.
// package.json's capabilities.untrustedWorkspaces.restrictedConfigurations lists the same keys (the manifest
// test checks both lists agree); this copy lets the extension say which workspace values it did not use.
/** The settings section, as in config.ts (which imports vscode; this file must not, for the unit tests). */
const SECTION = 'cptWriter';

export const RESTRICTED_SETTINGS = [
  'rubricDirectories',
  'judgeModel',
  'bestOf',
  'contextSize',
  'threads',
  'maxTokens',
  'context.maxTokens',
] as const;

/**
 * The RESTRICTED_SETTINGS keys (without `cptWriter.`) that a settings file's text sets: flat
 * ("cptWriter.bestOf"), nested ({ "cptWriter": { "bestOf": … } }) or inside a language block ("[markdown]").
 * `under` names the property holding the settings (a .code-workspace file's "settings"). The text is JSON
 * with comments and trailing commas, as VS Code writes it; what cannot be parsed sets nothing.
 * Needed because VS Code drops restricted keys from an untrusted workspace's configuration altogether:
 * `inspect()` does not show them there, so only the file itself tells which ones were ignored.
 */
export function restrictedKeysIn(text: string, under?: string): string[] {
  let root: unknown;
  try {
    root = JSON.parse(plainJson(text));
  } catch {
    return [];
  }
  const settings = under && isObject(root) ? root[under] : root;
  const found = new Set<string>();
  const visit = (obj: unknown, prefix: string, depth: number) => {
    if (!isObject(obj) || depth > 8) return;
    for (const [k, v] of Object.entries(obj)) {
      if (!prefix && /^\[.*\]$/.test(k)) {
        visit(v, '', depth + 1);
        continue;
      }
      const key = prefix ? `${prefix}.${k}` : k;
      if (key.startsWith(`${SECTION}.`)) {
        const rest = key.slice(SECTION.length + 1);
        if ((RESTRICTED_SETTINGS as readonly string[]).includes(rest)) found.add(rest);
      }
      if (isObject(v) && (key === SECTION || key.startsWith(`${SECTION}.`))) visit(v, key, depth + 1);
    }
  };
  visit(settings, '', 0);
  return RESTRICTED_SETTINGS.filter((k) => found.has(k));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON with comments (line and block) and trailing commas, as VS Code's settings files allow, turned into
 * plain JSON: comments become spaces and a comma before a closing bracket is dropped; strings are kept whole.
 */
export function plainJson(text: string): string {
  let out = '';
  let comma = -1; // where in `out` the last comma is, while only blanks and comments followed it
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      comma = -1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else {
      if ((ch === '}' || ch === ']') && comma >= 0) out = out.slice(0, comma) + ' ' + out.slice(comma + 1);
      if (ch === ',') comma = out.length;
      else if (!/\s/.test(ch)) comma = -1;
      out += ch;
      i++;
    }
  }
  return out;
}
