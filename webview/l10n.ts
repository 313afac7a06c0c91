// The page's words in VS Code's display language: the extension hands the page the bundle VS Code loaded
// for it (vscode.l10n.bundle) in the body's data-l10n attribute, and @vscode/l10n looks messages up in
// it. Without one (English, or no translation shipped) every message is its own English text.
import * as l10n from '@vscode/l10n';

const contents = document.body.dataset.l10n;
if (contents) {
  try {
    l10n.config({ contents: JSON.parse(contents) as Record<string, string> });
  } catch {
    // A bundle the page cannot read leaves the page in English rather than blank.
  }
}

export const t = l10n.t;
