// Proves the harness itself: the suite runs in the host the runner promised (code-server's VS Code 1.100
// with a web UI, or a desktop VS Code), on the workspace the runner prepared, with our extension present.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

describe('integration host', () => {
  it('is VS Code 1.100.x with the UI kind of the host that started it', () => {
    assert.match(vscode.version, /^1\.100\.\d+$/);
    if (process.env.CPT_WRITER_TEST_HOST === 'code-server') {
      assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
      assert.strictEqual(vscode.env.appName, 'code-server');
    } else {
      assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Desktop);
    }
  });

  it('opened the workspace folder the runner prepared, with the samples and test rubrics in it', async () => {
    const expected = process.env.CPT_WRITER_TEST_WORKSPACE;
    assert.ok(expected, 'CPT_WRITER_TEST_WORKSPACE is not set');
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.strictEqual(folders.length, 1);
    assert.strictEqual(folders[0].uri.fsPath, path.resolve(expected));
    const samples = (await vscode.workspace.findFiles('*.{md,tex,txt,py}')).map((u) => path.basename(u.fsPath)).sort();
    assert.deepStrictEqual(samples, ['blog-post.md', 'email.txt', 'related-work.tex', 'word_counter.py']);
    const rubrics = fs.readdirSync(path.join(expected, '.cpt-writer', 'rubrics')).sort();
    assert.deepStrictEqual(rubrics, ['test-brevity.yaml', 'test-broken.yaml']);
  });

  it('loads the extension under development with its manifest contributions', async () => {
    const ext = vscode.extensions.getExtension('cpt-writer.cpt-writer');
    assert.ok(ext, 'cpt-writer.cpt-writer is not loaded');
    const commands = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.ok(commands.includes('cptWriter.rewriteSelection'));
  });

  it('was handed a readable test model file', () => {
    const model = process.env.CPT_WRITER_TEST_MODEL;
    assert.ok(model, 'CPT_WRITER_TEST_MODEL is not set (make-test-model failed?)');
    const head = Buffer.alloc(4);
    const fd = fs.openSync(model, 'r');
    try { fs.readSync(fd, head, 0, 4, 0); } finally { fs.closeSync(fd); }
    assert.strictEqual(head.toString('latin1'), 'GGUF');
  });
});
