// Tables as docker and compose print them (Go's text/tabwriter with minwidth 10, padding 3, blank
// padding): every cell but the last of a row is padded to its column's width, so a row whose last cell
// is empty keeps trailing blanks, exactly as `docker compose ps` does.

export interface TableOptions {
  /** Narrowest a padded column may be. 10 for `ps`; compose's `ls` and `images` use 20. */
  readonly minWidth?: number;
  /** Blanks after the widest cell of a column. */
  readonly padding?: number;
}

/** Width as tabwriter counts it: code points, not UTF-16 units ("…" is one). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const minWidth = options.minWidth ?? 10;
  const padding = options.padding ?? 3;
  const all = [headers, ...rows];
  const columns = Math.max(...all.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    const widest = Math.max(...all.map((r) => textWidth(r[c] ?? '')));
    widths.push(Math.max(widest + padding, minWidth));
  }
  const lines = all.map((row) =>
    row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(widths[c] - textWidth(cell)) : cell)).join(''),
  );
  return lines.map((l) => l + '\n').join('');
}
