// Checks the harness before any test runs: the suite runs in the host the runner promised (code-server's
// VS Code 1.100 with a web UI, or a desktop VS Code), on the workspace the runner prepared, with the
// generated test model. Not tests of the product: a mismatch fails the whole run with the reason,
// instead of failing tests whose assertions are about something else.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

/** What is wrong with this host for the suite, or an empty list. */
export async function preflightProblems(): Promise<string[]> {
  const problems: string[] = [];
  if (!/^1\.100\.\d+$/.test(vscode.version)) problems.push(`VS Code ${vscode.version}, not 1.100.x`);
  const codeServer = process.env.CPT_WRITER_TEST_HOST === 'code-server';
  const wantKind = codeServer ? vscode.UIKind.Web : vscode.UIKind.Desktop;
  if (vscode.env.uiKind !== wantKind)
    problems.push(`UI kind ${vscode.UIKind[vscode.env.uiKind]}, not ${vscode.UIKind[wantKind]}`);
  if (codeServer && vscode.env.appName !== 'code-server') problems.push(`app ${vscode.env.appName}, not code-server`);

  const expected = process.env.CPT_WRITER_TEST_WORKSPACE;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!expected) problems.push('CPT_WRITER_TEST_WORKSPACE is not set');
  else if (folders.length !== 1 || folders[0].uri.fsPath !== path.resolve(expected)) {
    problems.push(`the open folders are ${JSON.stringify(folders.map((f) => f.uri.fsPath))}, not ${expected}`);
  } else {
    const samples = (await vscode.workspace.findFiles('*.{md,tex,txt,py}'))
      .map((u) => path.basename(u.fsPath))
      .sort()
      .join(',');
    if (samples !== 'blog-post.md,email.txt,related-work.tex,word_counter.py')
      problems.push(`the workspace holds the samples ${samples}`);
    const rubricDir = path.join(expected, '.cpt-writer', 'rubrics');
    const rubrics = fs.existsSync(rubricDir) ? fs.readdirSync(rubricDir).sort().join(',') : '';
    if (rubrics !== 'test-brevity.yaml,test-broken.yaml') problems.push(`the workspace rubrics are "${rubrics}"`);
  }

  if (!vscode.extensions.getExtension('cpt-writer.cpt-writer'))
    problems.push('the extension cpt-writer.cpt-writer is not loaded');

  const model = process.env.CPT_WRITER_TEST_MODEL;
  if (!model) problems.push('CPT_WRITER_TEST_MODEL is not set (make-test-model failed?)');
  else {
    const head = Buffer.alloc(4);
    try {
      const fd = fs.openSync(model, 'r');
      try {
        fs.readSync(fd, head, 0, 4, 0);
      } finally {
        fs.closeSync(fd);
      }
      if (head.toString('latin1') !== 'GGUF') problems.push(`${model} is not a GGUF file`);
    } catch (e) {
      problems.push(`cannot read ${model}: ${String(e)}`);
    }
  }
  return problems;
}
