// Serial numbers typed, pasted or read from a CSV: the first column, or the one headed like
// "Serial Number"; comma, semicolon or tab separated; blank lines and duplicates dropped. The API
// validates each serial again (assign and import report per serial).
const HEADER = /^(serial[ _]?(number)?|serialnumber)$/i;

export function parseSerials(text: string, max = 10_000): string[] {
  const rows = text.split(/\r?\n/).map((line) => line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"|"$/g, '')));
  let column = 0;
  if (rows.length && rows[0].some((cell) => HEADER.test(cell))) column = rows.shift()!.findIndex((cell) => HEADER.test(cell));
  const serials = rows.flatMap((cells) => (cells.length === 1 ? cells[0].split(/\s+/) : [cells[column] ?? ''])).filter(Boolean);
  return [...new Set(serials)].slice(0, max);
}
