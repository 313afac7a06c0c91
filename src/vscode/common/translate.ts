// The translator the plain-Node label modules take (core's: vscode.l10n.t's shape, English by default).
export { english, type Translate } from '../../core/translate';
