// The shape of vscode.l10n.t, for code that builds words a person reads without importing `vscode`: the
// editor passes vscode.l10n.t in; plain Node, the CLI and the logs get the English message with its {0},
// {1}… filled in. The English text is the key, as in VS Code's bundles.
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));

/**
 * Marks an English message kept as data and translated where it is shown (scripts/l10n-export.mjs collects
 * it into the l10n bundle, as it does every literal passed to a translator).
 */
export const l10nKey = <S extends string>(message: S): S => message;
