import path from 'node:path';

/** VS Code's language id for a file name, for the few document types whose markup the prompt names. */
export function languageOfFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const ext = path.extname(file).toLowerCase();
  const byExt: Record<string, string> = {
    '.md': 'markdown',
    '.markdown': 'markdown',
    '.mdx': 'mdx',
    '.qmd': 'quarto',
    '.rmd': 'rmd',
    '.tex': 'latex',
    '.ltx': 'latex',
    '.bib': 'bibtex',
    '.rst': 'restructuredtext',
    '.adoc': 'asciidoc',
    '.html': 'html',
    '.htm': 'html',
    '.txt': 'plaintext',
    '.py': 'python',
    '.js': 'javascript',
    '.ts': 'typescript',
    '.c': 'c',
    '.h': 'c',
    '.cpp': 'cpp',
    '.java': 'java',
    '.go': 'go',
    '.rs': 'rust',
    '.sh': 'shellscript',
    '.rb': 'ruby',
  };
  return byExt[ext];
}
