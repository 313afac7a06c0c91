// The extensionTestsPath module of the untrusted stage (test/host/run-untrusted.mjs): the same runner as the
// integration suite, over the *.test.js here, after the integration preflight plus the promise this stage
// makes: workspace trust is on and the workspace is NOT trusted (Restricted Mode). A window that trusted
// it would make every assertion about ignored settings meaningless, so that fails the run instead.
import * as vscode from 'vscode';
import { runChecked } from '../integration/index';
import { preflightProblems } from '../integration/preflight';

function trustProblems(): string[] {
  const problems: string[] = [];
  if (vscode.workspace.getConfiguration('security.workspace.trust').get('enabled') !== true)
    problems.push('security.workspace.trust.enabled is not true');
  if (vscode.workspace.isTrusted) problems.push('the workspace is trusted: the window is not in Restricted Mode');
  if (!process.env.CPT_WRITER_TRUST_SERVER_LOG || !process.env.CPT_WRITER_TRUST_JUDGE_URL)
    problems.push('CPT_WRITER_TRUST_SERVER_LOG / CPT_WRITER_TRUST_JUDGE_URL are not set (the loopback judge server)');
  return problems;
}

export async function run(): Promise<void> {
  return runChecked([...(await preflightProblems()), ...trustProblems()], __dirname);
}
