// Go text/template subset (src/ui/go-template.ts): expected strings are what Go's text/template with
// docker's function map prints for the same template and data.
import { describe, expect, it } from 'vitest';
import { GO_JSON, GO_TYPE, GoMap, GoTemplate, goNilSlice, sprintf } from '../../../src/ui/go-template.js';
import { renderFormat } from '../../../src/ui/docker-format.js';
import { tabwrite } from '../../../src/ui/tabwriter.js';

const run = (text: string, data: unknown) => GoTemplate.parse(text).execute(data);
const fail = (text: string, data: unknown = {}) => {
  try {
    GoTemplate.parse(text).execute(data);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no error');
};

const container = {
  [GO_TYPE]: '*formatter.ContainerContext',
  Name: 'p-web-1',
  State: 'running',
  ExitCode: 0,
  Networks: 'p_default,p_back',
  Label(name: string) {
    return ({ a: 'b' } as Record<string, string>)[name] ?? '';
  },
  Publishers: [{ URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' }],
  Tags: ['x', 'y'],
  Env: new GoMap({ B: '2', A: '1' }),
  Nothing: null,
};

describe('go template: fields, functions, pipelines', () => {
  it.each([
    ['{{.Name}}', 'p-web-1'],
    ['{{ .Name }} is {{.State}}', 'p-web-1 is running'],
    ['{{.ExitCode}}', '0'],
    ['{{.Label "a"}}|{{.Label "zz"}}', 'b|'],
    ['{{.Publishers}}', '[{0.0.0.0 80 8080 tcp}]'],
    ['{{json .Publishers}}', '[{"URL":"0.0.0.0","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}]'],
    ['{{json .Env}}', '{"A":"1","B":"2"}'],
    ['{{.Env}}', 'map[A:1 B:2]'],
    ['{{.Env.A}}{{.Env.Z}}', '1<no value>'],
    ['{{.Nothing}}', '<nil>'],
    ['{{.Tags}}', '[x y]'],
    ['{{join .Tags ","}}', 'x,y'],
    ['{{split .Networks ","}}', '[p_default p_back]'],
    ['{{index (split .Networks ",") 1}}', 'p_back'],
    ['{{len .Tags}} {{len .Name}}', '2 7'],
    ['{{upper .Name}} {{lower "AbC"}} {{title "hello big world"}}', 'P-WEB-1 abc Hello Big World'],
    ['{{.Name | upper}}', 'P-WEB-1'],
    ['{{.Name | printf "%s!" | upper}}', 'P-WEB-1!'],
    ['[{{pad .Name 2 1}}][{{pad "" 2 1}}]', '[  p-web-1 ][]'],
    ['{{truncate .Name 5}}|{{truncate .Name 50}}', 'p-web|p-web-1'],
    ['{{println .Name}}x', 'p-web-1\nx'],
    ['{{print 1 2 "a" 3}}', '1 2a3'],
    ['{{printf "%-10s|%5d|%q|%v|%t" .Name 42 "q" .Tags true}}', 'p-web-1   |   42|"q"|[x y]|true'],
    ['{{printf "%.2f %x" 3.14159 255}}', '3.14 ff'],
    ['{{if eq .State "running"}}up{{else}}down{{end}}', 'up'],
    ['{{if ne .State "running"}}up{{else if .ExitCode}}code{{else}}zero{{end}}', 'zero'],
    ['{{if and .Name .ExitCode}}a{{else}}b{{end}}{{or .ExitCode "dflt"}}{{not .ExitCode}}', 'bdflttrue'],
    ['{{if lt 1 2}}lt{{end}}{{if ge 2 2}}ge{{end}}{{if eq .ExitCode 1 2 0}}in{{end}}', 'ltgein'],
    ['{{range .Tags}}<{{.}}>{{end}}', '<x><y>'],
    ['{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}', '0=x 1=y '],
    ['{{range $k, $v := .Env}}{{$k}}:{{$v}};{{end}}', 'A:1;B:2;'],
    ['{{range .Nothing}}x{{else}}empty{{end}}', 'empty'],
    ['{{range .Tags}}{{if eq . "x"}}{{continue}}{{end}}{{.}}{{end}}', 'y'],
    ['{{range .Tags}}{{.}}{{break}}{{end}}', 'x'],
    ['{{with .Publishers}}{{(index . 0).PublishedPort}}{{end}}', '8080'],
    ['{{with .Nothing}}x{{else}}none{{end}}', 'none'],
    ['{{$n := .Name}}{{range .Tags}}{{$n}}/{{.}} {{end}}', 'p-web-1/x p-web-1/y '],
    ['{{range .Tags}}{{$.Name}}{{end}}', 'p-web-1p-web-1'],
    ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
    ['a  {{- .Name -}}  b', 'ap-web-1b'],
    ['{{/* a comment */}}x{{- /* trimmed */ -}} y', 'xy'],
    ['{{"a\\tb"}}{{`raw\\n`}}', 'a\tbraw\\n'],
    ['{{slice .Name 2 5}}', 'web'],
    ['{{html "<a>"}} {{urlquery "a b&"}} {{js "it\'s"}}', "&lt;a&gt; a+b%26 it\\'s"],
  ])('%s', (text, want) => {
    expect(run(text, container)).toBe(want);
  });

  it('a nil slice prints [] and marshals null', () => {
    expect(run('{{.P}} {{json .P}} {{len .P}}', { P: goNilSlice() })).toBe('[] null 0');
  });

  it('json: HTML not escaped, except in a struct with its own MarshalJSON (json.Marshal escapes it)', () => {
    expect(run('{{json .}}', { Z: '<&>', A: 1 })).toBe('{"Z":"<&>","A":1}');
    const row = { Name: 'x', [GO_JSON]: () => new GoMap({ Z: '<&>', A: 1 }) };
    expect(run('{{json .}}', row)).toBe('{"A":1,"Z":"\\u003c\\u0026\\u003e"}');
  });
});

describe('go template: errors as Go words them', () => {
  it.each([
    ['{{.Name}} {{.Foo}}', 'template: :1:12: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext'],
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{.Name', 'template: :1: unclosed action'],
    ['x\n{{if .Name}}', 'template: :2: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{lower .ExitCode}}', 'template: :1:8: executing "" at <.ExitCode>: wrong type for value; expected string; got int'],
    ['{{.Label}}', 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0'],
    ['{{index .Tags 5}}', 'template: :1:2: executing "" at <index .Tags 5>: error calling index: index out of range: 5'],
    ['{{.Name 1}}', 'template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function'],
    ['{{"x" 1}}', 'template: :1:2: executing "" at <"x">: can\'t give argument to non-function "x"'],
  ])('%s', (text, want) => {
    expect(fail(text, container)).toBe(want);
  });
});

describe('sprintf', () => {
  it('pads, reports missing and extra arguments', () => {
    expect(sprintf('%05d|%-4s|%4s', [42, 'ab', 'cd'])).toBe('00042|ab  |  cd');
    expect(sprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
    expect(sprintf('%d', ['a'])).toBe('%!d(string=a)');
    expect(sprintf('x', [1])).toBe('x%!(EXTRA int=1)');
  });
});

describe('tabwriter', () => {
  it('pads terminated cells to the widest cell plus padding, at least minwidth', () => {
    expect(tabwrite('NAME\tSTATUS\nlong-name-here\tup\n')).toBe('NAME             STATUS\nlong-name-here   up\n');
  });
  it('a line with fewer cells ends a column block', () => {
    expect(tabwrite('a\tb\tc\nxxxxxxxxxxxxxx\n1\t2\t3\n', { minWidth: 2, padding: 1 })).toBe('a b c\nxxxxxxxxxxxxxx\n1 2 3\n');
    expect(tabwrite('a\tbbbbbb\tc\n1\t2\n', { minWidth: 2, padding: 1 })).toBe('a bbbbbb c\n1 2\n');
  });
});

describe('docker format context', () => {
  const opts = { defaultTable: 'table {{.Name}}\t{{.State}}', headers: { Name: 'NAME', State: 'STATE', Labels: 'LABELS' } };
  const rows = [{ Name: 'p-db-1', State: 'exited' }, { Name: 'p-web-1', State: 'running' }];
  it('table keyword: the default columns', () => {
    expect(renderFormat('table', rows, opts)).toBe('NAME      STATE\np-db-1    exited\np-web-1   running\n');
  });
  it('table template: header from the column names, unknown ones <no value>, Label of a key', () => {
    expect(renderFormat('table {{.Name}}\\t{{.Health}}\\t{{.Label "com.x.my-key"}}', rows.map((r) => ({ ...r, Health: '', Label: (_n: string) => '' })), opts)).toBe(
      'NAME      <no value>   my key\np-db-1                 \np-web-1                \n',
    );
  });
  it('header functions keep the column name', () => {
    expect(renderFormat('table {{lower .Name}}\\t{{json .State}}', rows, opts)).toBe('NAME      STATE\np-db-1    "exited"\np-web-1   "running"\n');
  });
  it('json keyword and raw templates, one line per row', () => {
    expect(renderFormat('json', rows, opts)).toBe('{"Name":"p-db-1","State":"exited"}\n{"Name":"p-web-1","State":"running"}\n');
    expect(renderFormat('{{.Name}}', rows, opts)).toBe('p-db-1\np-web-1\n');
    expect(renderFormat('{{.Name}}', [], opts)).toBe('');
  });
  it('errors are prefixed as docker prefixes them', () => {
    expect(() => renderFormat('{{.Nope}}', rows, opts)).toThrow('template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type struct');
    expect(() => renderFormat('{{.Name', rows, opts)).toThrow('template parsing error: template: :1: unclosed action');
  });
});
