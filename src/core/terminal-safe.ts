// Text from files and servers (rubric titles, file names, YAML errors, a server's error message, a model's
// output) is printed to a terminal, which obeys escape sequences: it could retitle the window, move the
// cursor over earlier output or worse. Every line the CLI prints or a report holds that carries such text
// goes through terminalSafe first.

const ESCAPE_SEQUENCE =
  /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[ -/]*[0-~]?)/g;
/** C0 controls but tab and newline (a carriage return can overwrite a line), DEL and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with escape sequences and control characters removed; tabs and newlines kept. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
