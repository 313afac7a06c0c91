// The settings whose workspace values VS Code ignores in an untrusted workspace (Restricted Mode): each names
// something to read or load (a rubric folder, a judge model) or sets how much memory and CPU a request takes.
// package.json's capabilities.untrustedWorkspaces.restrictedConfigurations lists the same keys (the manifest
// test checks both lists agree); this copy lets the extension say which workspace values it did not use.
export const RESTRICTED_SETTINGS = [
  'rubricDirectories',
  'judgeModel',
  'bestOf',
  'contextSize',
  'threads',
  'maxTokens',
  'context.maxTokens',
] as const;
