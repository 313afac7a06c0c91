// terminalSafe lives in core (the endpoint client and reports use it too); this path stays for the CLI.
export { terminalSafe } from '../core/terminal-safe';
