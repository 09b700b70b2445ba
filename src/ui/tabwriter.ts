// Go's text/tabwriter (as docker's formatter configures it: padding with blanks, no flags), for templates
// whose cells are separated by tabs. A cell is tab-terminated; the text after a line's last tab is not part
// of any column. A column's width is computed over a block of consecutive lines that all have a terminated
// cell in that column, so a line with fewer cells ends the block (Go's semantics, which a fixed-width table
// does not reproduce when a template prints rows of different shapes).

interface Cell {
  text: string;
  width: number;
}

export interface TabwriterOptions {
  readonly minWidth?: number;
  readonly padding?: number;
}

/** Width as tabwriter counts it: runes. */
function runes(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function tabwrite(text: string, options: TabwriterOptions = {}): string {
  const minWidth = options.minWidth ?? 10;
  const padding = options.padding ?? 3;
  const lines: Cell[][] = text.split('\n').map((l) => l.split('\t').map((t) => ({ text: t, width: runes(t) })));
  const widths: number[] = [];
  let out = '';

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i];
      line.forEach((c, j) => {
        out += c.text;
        if (j < widths.length && j < line.length - 1) out += ' '.repeat(Math.max(0, widths[j] - c.width));
      });
      if (i + 1 < lines.length) out += '\n';
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      // a cell in this column: print the lines before the block, then size the block
      writeLines(line0, cur);
      line0 = cur;
      let width = minWidth;
      for (; cur < line1; cur++) {
        const line = lines[cur];
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column].width + padding);
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}
