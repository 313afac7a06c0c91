// A rubric file's text made safe to read before YAML composes it: characters YAML does not allow, collections
// nested past RUBRIC_LIMITS.depth, and then its first document, composed with its syntax errors and unresolved
// aliases reported (a bounded number of each).
import { Composer, Parser, type CST, type Document } from 'yaml';
import { RUBRIC_LIMITS } from './limits';
import { codePoint, count, quoted, type Reporter } from './yaml-reader';

/**
 * Characters YAML does not allow in a file (C0 controls other than tab and newline, DEL, C1 controls
 * other than NEL, U+FFFE/U+FFFF), and U+FEFF, which YAML allows only as the byte-order mark that opens a
 * file. Kept out of the rubric, a stray one cannot end up invisible in an id, a prompt or a terminal.
 */
const NOT_ALLOWED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufeff\ufffe\uffff]/g;

export function characterProblems(r: Reporter, text: string): void {
  let found = 0;
  for (const m of text.matchAll(NOT_ALLOWED)) {
    if (++found > 5) {
      r.error(m.index, 'more characters that are not allowed follow (only the first 5 are listed)');
      return;
    }
    const ch = m[0];
    const code = codePoint(ch);
    r.error(
      m.index,
      ch === '\ufeff'
        ? `a byte-order mark (${code}, invisible) is allowed only as the very first character of the file; delete ` +
            `this one`
        : `control character ${code} is not allowed in a rubric file (YAML allows only printable text); delete it`,
    );
  }
}

/** The offset of the first collection nested deeper than RUBRIC_LIMITS.depth, walking the CST without recursion. */
function tooDeepAt(tokens: readonly CST.Token[]): number | undefined {
  const stack: { token: CST.Token | null | undefined; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > RUBRIC_LIMITS.depth) return token.offset;
      for (const item of token.items as readonly { key?: CST.Token | null; value?: CST.Token }[]) {
        stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** The first YAML document of `text`, or undefined with the problems reported. */
export function composeFirstDocument(r: Reporter, text: string): Document.Parsed | undefined {
  const tokens = [...new Parser().parse(text)];
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    r.error(
      deep,
      `YAML nested more than ${RUBRIC_LIMITS.depth} levels deep here (a rubric needs 4); this is not a rubric`,
    );
    return undefined;
  }
  const docs = [
    ...new Composer({ prettyErrors: false, uniqueKeys: true, merge: true }).compose(tokens, true, text.length),
  ];
  const doc = docs[0];
  if (!doc) return undefined;
  const errors = doc.errors.map((e) => ({ at: e.pos[0], message: e.message.split('\n')[0] }));
  if (docs.length > 1)
    errors.push({
      at: docs[1].range[0],
      message: 'a rubric file holds one YAML document; remove the second (after ---)',
    });
  for (const e of errors.slice(0, RUBRIC_LIMITS.shownErrors)) r.error(e.at, `YAML syntax error: ${e.message}`);
  if (errors.length > RUBRIC_LIMITS.shownErrors) {
    r.error(
      errors[RUBRIC_LIMITS.shownErrors].at,
      `${count(errors.length - RUBRIC_LIMITS.shownErrors)} more YAML syntax errors (only the first ` +
        `${RUBRIC_LIMITS.shownErrors} are listed)`,
    );
  }
  if (errors.length) return undefined;
  for (const w of doc.warnings.slice(0, RUBRIC_LIMITS.shownErrors)) r.warn(w.pos[0], w.message.split('\n')[0]);
  const unresolved = r.indexAnchors(doc);
  for (const alias of unresolved.slice(0, RUBRIC_LIMITS.shownErrors)) {
    r.error(alias, `alias *${quoted(alias.source).slice(1, -1)} refers to no anchor (&name) before it`);
  }
  return unresolved.length ? undefined : doc;
}
