// Writes l10n/bundle.l10n.json: every message the editor and the sidebar page show, English text as the key
// (the file a translation starts from, as `npx @vscode/l10n-dev export` writes it, and the one the
// pseudo-locale tests wrap). It reads src/ and webview/ with the TypeScript parser and collects the first
// argument of every call of vscode.l10n.t, l10n.t, a translator named `t`, and l10nKey (a message kept as
// data and translated where it is shown). A key must be a string literal (or literals joined with +): a
// template with ${…} or any other expression there is an error, since no bundle can hold it.
//   node scripts/l10n-export.mjs            write the bundle
//   node scripts/l10n-export.mjs --check    exit 1 when the bundle on disk differs (CI)
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const BUNDLE = path.join(root, 'l10n', 'bundle.l10n.json');

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The call's kind when it takes a message first, else undefined. */
function messageCall(callee) {
  if (ts.isIdentifier(callee)) return callee.text === 't' || callee.text === 'l10nKey' ? callee.text : undefined;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 't') {
    const on = callee.expression.getText();
    return on === 'l10n' || on === 'vscode.l10n' ? on + '.t' : undefined;
  }
  return undefined;
}

/** The literal text of `node` (string literals joined with +), or undefined. */
function literal(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return literal(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const a = literal(node.left);
    const b = literal(node.right);
    return a !== undefined && b !== undefined ? a + b : undefined;
  }
  return undefined;
}

/**
 * { messages: sorted keys, problems: 'file:line: …' }. An identifier, property or element as the key is allowed (a
 * message passed along, collected where it was written with l10nKey); anything else is a problem.
 */
export function extractMessages(dirs = ['src', 'webview']) {
  const messages = new Set();
  const problems = [];
  for (const file of dirs.flatMap((d) => sources(path.join(root, d)))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && messageCall(node.expression) && node.arguments.length) {
        const arg = node.arguments[0];
        const text = literal(arg);
        if (text !== undefined) messages.add(text);
        else if (!ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg) && !ts.isElementAccessExpression(arg)) {
          const { line } = sf.getLineAndCharacterOfPosition(arg.getStart());
          problems.push(`${path.relative(root, file)}:${line + 1}: a message that is not a literal: ${arg.getText()}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { messages: [...messages].sort(), problems };
}

/** Calls whose string arguments are never shown as a message: translators, the log, errors, the console. */
const NOT_SHOWN = /(^|\.)(t|l10nKey|info|warn|error|debug|trace|log|appendLine)$/;

/**
 * Literals in the editor's code (src/vscode, src/extension.ts) that hold an English phrase (two words) outside
 * a translator, a log line or an Error: each is a word a person may read untranslated, or data to be named
 * as such by the test that calls this. Template literals are judged by their literal parts only.
 * Returns 'file: text' lines.
 */
export function plainPhrases(paths = ['src/vscode', 'src/extension.ts']) {
  const files = paths.flatMap((p) =>
    statSync(path.join(root, p)).isDirectory() ? sources(path.join(root, p)) : [path.join(root, p)],
  );
  const out = [];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      const text =
        ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
          ? node.text
          : ts.isTemplateExpression(node)
            ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ')
            : undefined;
      if (text !== undefined && /[A-Za-z]{2,} [a-z]{2,}/.test(text)) {
        let shown = true;
        for (let p = node.parent; p && shown; p = p.parent) {
          if (
            ts.isCallExpression(p) &&
            (NOT_SHOWN.test(p.expression.getText()) || /logger/.test(p.expression.getText()))
          )
            shown = false;
          if (ts.isNewExpression(p) && /Error$/.test(p.expression.getText())) shown = false;
          if (ts.isImportDeclaration(p)) shown = false;
        }
        if (shown) out.push(`${path.relative(root, file)}: ${text.replace(/\s+/g, ' ').trim()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** The bundle's text: each message maps to itself (English), sorted, as l10n-dev writes it. */
export function bundleText(messages) {
  return `${JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { messages, problems } = extractMessages();
  for (const p of problems) console.error(p);
  const text = bundleText(messages);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(BUNDLE, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${path.relative(root, BUNDLE)} is out of date: run node scripts/l10n-export.mjs`);
      process.exitCode = 1;
    }
  } else {
    mkdirSync(path.dirname(BUNDLE), { recursive: true });
    writeFileSync(BUNDLE, text);
    console.log(`${path.relative(root, BUNDLE)}: ${messages.length} messages`);
  }
  if (problems.length) process.exitCode = 1;
}
