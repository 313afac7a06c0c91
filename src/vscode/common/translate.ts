// The shape of vscode.l10n.t, for the modules that are unit-tested without `vscode`: the extension passes
// vscode.l10n.t in; plain Node (and the tests) get the English message with its {0}, {1}… filled in.
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
