// Text from files (rubric titles, file names, YAML errors, bytes echoed in an error) is printed to a terminal,
// which obeys escape sequences: a rubric title could retitle the window, move the cursor over earlier
// output or worse. Everything the CLI prints that came from a file goes through terminalSafe first.

const ESCAPE_SEQUENCE =
  /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[ -/]*[0-~]?)/g;
/** C0 controls but tab and newline (a carriage return can overwrite a line), DEL and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with escape sequences and control characters removed; tabs and newlines kept. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
