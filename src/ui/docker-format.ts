// docker's --format handling (docker/cli's formatter.Context), which `compose ps` and `compose stats` use:
// "table" (the command's default columns), "table TEMPLATE" (a header row from the template run on the
// column names, then the rows, aligned by tabwriter), "json" (`{{json .}}`, one object a line) and any
// other Go template, run once per row. A literal `\t` or `\n` in the format is a tab or a newline.
import { GoMap, GoTemplate, TemplateError, goJson } from './go-template.js';
import { tabwrite } from './tabwriter.js';

export { GoMap, GoTemplate, TemplateError, GO_JSON, GO_TYPE, goJson, goNilSlice } from './go-template.js';

export interface FormatOptions {
  /** The command's columns when the format is just "table". */
  readonly defaultTable: string;
  /** Column names by field, for the header row of a table template. */
  readonly headers: Readonly<Record<string, string>>;
}

/** docker's header map: unknown fields print "<no value>"; `.Label "a.b-c"` gives "b c". */
export function headerMap(headers: Readonly<Record<string, string>>): GoMap {
  return new GoMap(headers, {
    Label: (name: string) => String(name).split('.').pop()!.replace(/[-_]/g, ' '),
  });
}

/** The format as docker runs it: table prefix removed, json expanded, escapes replaced, blanks trimmed. */
export function finalFormat(format: string): { table: boolean; text: string } {
  const table = format.startsWith('table');
  let text = table ? format.slice('table'.length) : format === 'json' ? '{{json .}}' : format;
  text = text.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, text };
}

/**
 * Render rows with a docker format; a TemplateError ("template parsing error: ...") when the template is
 * malformed or fails on a row, in which case nothing is printed (docker writes only after every row ran).
 */
export function renderFormat(format: string, rows: readonly unknown[], options: FormatOptions): string {
  const { table, text } = finalFormat(format === 'table' ? options.defaultTable : format);
  let tmpl: GoTemplate;
  try {
    tmpl = GoTemplate.parse(text);
  } catch (err) {
    throw new TemplateError(`template parsing error: ${(err as Error).message}`);
  }
  let body = '';
  for (const row of rows) {
    try {
      body += `${tmpl.execute(row)}\n`;
    } catch (err) {
      throw new TemplateError(`template parsing error: ${(err as Error).message}`);
    }
  }
  if (!table) return body;
  return tabwrite(`${tmpl.executeHeader(headerMap(options.headers))}\n${body}`, { minWidth: 10, padding: 3 });
}

/**
 * compose's own list formatter (`images`, `ls`): "table" or "pretty" (case-insensitive) print the table,
 * "json" one JSON array, "{{json.}}" (its legacy spelling, without a space) one object a line; anything else
 * is compose's "format value ... could not be parsed" error. No Go templates: compose 2.26 runs none here.
 */
export function renderComposeList(format: string, rows: readonly Record<string, unknown>[], table: () => string): string {
  switch (format.toLowerCase()) {
    case 'table':
    case 'pretty':
    case '':
      return table();
    case '{{json.}}':
      return rows.map((r) => `${goJson(r)}\n`).join('');
    case 'json':
      return `${goJson(rows)}\n`;
    default:
      throw new TemplateError(`format value "${format}" could not be parsed: parsing failed`);
  }
}
