// Issue 16, item 2: --format with Go templates (ps, stats), compose's list formats (images, ls), ps --filter /
// --status / --no-trunc / --orphans, stats --no-trunc, and `volumes` — berth and compose-ref run on the same
// stack and print the same bytes and exit codes (times normalised; Go map order normalised where compose
// prints a map in random order).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject, type RunResult } from '../helpers/e2e.js';

const compose = `
services:
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 600 # a command longer than twenty characters"]
    ports: ["127.0.0.1::80"]
    labels: [a=b, com.example.my-key=v]
    volumes: [data:/data]
  db:
    image: busybox:local
    command: ["sh", "-c", "exit 3"]
volumes:
  data:
`;
// the same project with one more service: once it is gone from the file, its container is an orphan
const withOrphan = compose.replace('\nvolumes:\n', '\n  old:\n    image: busybox:local\n    init: true\n    command: ["sleep", "600"]\nvolumes:\n');

// times move between two commands: "3 seconds ago" / "4 seconds ago", "Up 2 seconds" / "Up 3 seconds"
const TIME = /(\d+ (second|minute|hour)s?|Less than a second|About a minute|About an hour)( ago)?/g;
// A table's CREATED and STATUS columns are as wide as their longest time ("9 seconds ago" / "10 seconds ago"),
// so the padding after them moves with the clock too; it is compared as "at least two spaces".
const norm = (s: string) => s.replace(TIME, 'T').replace(/(T|CREATED|STATUS) {2,}/g, '$1  ');
const same = (a: RunResult, b: RunResult) => {
  expect({ code: a.code, stdout: norm(a.stdout), stderr: norm(a.stderr) }).toEqual({ code: b.code, stdout: norm(b.stdout), stderr: norm(b.stderr) });
};

describeEngine('--format templates and listing flags, side by side with compose-ref', () => {
  const project = uniqueProject('fmt');
  let dir = '';
  const b = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir });
  const r = (...args: string[]) => composeRef(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose, 'orphan.yaml': withOrphan });
    const up = await berth(['-p', project, '-f', 'orphan.yaml', 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    // db exits with 3 at once
    for (let i = 0; i < 50 && (await docker(['inspect', '-f', '{{.State.Status}}', `${project}-db-1`])).stdout.trim() !== 'exited'; i++) await new Promise((res) => setTimeout(res, 100));
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it.each([
    ['{{.Name}}'],
    ['table {{.Name}}\\t{{.Service}}\\t{{.State}}\\t{{.Label "a"}}\\t{{.Label "com.example.my-key"}}\\t{{.Health}}'],
    ['{{json .Publishers}} {{.Publishers}}'],
    ['{{.Names}}|{{.Project}}|{{.ExitCode}}|{{.Image}}|{{.Ports}}|{{.Networks}}|{{.LocalVolumes}}|{{.Mounts}}|{{.Size}}'],
    ['{{.ID}}|{{.Command}}'],
    ['{{upper .Service}} {{lower "AB"}} {{title .State}}[{{pad .Service 1 2}}]{{truncate .Name 4}}|{{join (split .Networks "_") "+"}}'],
    ['{{range $i, $e := split .Name "-"}}{{if $i}},{{end}}{{$e}}{{end}}'],
    ['{{if eq .State "running"}}up{{else if .ExitCode}}exit {{.ExitCode}}{{else}}other{{end}}'],
    ['{{index (split .Name "-") 1}} {{len .Service}} {{printf "%-8s|%3d" .Service .ExitCode}}{{println}}x'],
    ['{{- .Service -}} {{/* comment */}} {{with .Health}}h={{.}}{{else}}no health{{end}}'],
    ['table {{lower .Name}}\\t{{json .State}}\\t{{.Ports}}'],
    ['table'],
  ])('ps -a --format %s', async (format) => {
    same(await b('ps', '-a', '--format', format), await r('ps', '-a', '--format', format));
  });

  it('ps --no-trunc: full ids and commands, in the table and in templates', async () => {
    same(await b('ps', '-a', '--no-trunc'), await r('ps', '-a', '--no-trunc'));
    same(await b('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}'), await r('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}'));
  });

  it('ps --format json: compose\'s fields and escaping (labels and mounts are a Go map: compared as sets)', async () => {
    const rows = async (res: Promise<RunResult>) => {
      const out = await res;
      expect(out.code, out.stderr).toBe(0);
      // compose marshals with encoding/json: "->" is written "-\u003e"
      expect(out.stdout).toContain('-\\u003e80/tcp');
      return out.stdout.trim().split('\n').map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        return { ...o, Labels: String(o.Labels).split(',').sort(), Mounts: String(o.Mounts).split(',').sort(), RunningFor: norm(String(o.RunningFor)), Status: norm(String(o.Status)) };
      });
    };
    expect(await rows(b('ps', '-a', '--format', 'json'))).toEqual(await rows(r('ps', '-a', '--format', 'json')));
  });

  it.each([['{{.Nope}}'], ['{{nope}}'], ['{{.Name'], ['{{lower .ExitCode}}'], ['{{index .Name 99}}']])('ps --format %s fails as compose fails', async (format) => {
    const got = await b('ps', '--format', format);
    expect(got.code).not.toBe(0);
    same(got, await r('ps', '--format', format));
  });

  it.each([
    [['--filter', 'status=exited']],
    [['--filter', 'status=running', '--status', 'exited']],
    [['--status', 'running', '--status', 'exited']],
    [['--services', '--filter', 'status=exited']],
    [['--services', '--status', 'paused']],
    [['--filter', 'status']],
    [['--filter', 'source=x']],
    [['--filter', 'health=healthy']],
  ])('ps %j', async (args) => {
    same(await b('ps', '--format', '{{.Name}} {{.State}}', ...args), await r('ps', '--format', '{{.Name}} {{.State}}', ...args));
  });

  it('ps --orphans=false leaves out containers of services the file no longer declares (berth also spells it --no-orphans)', async () => {
    // compose loads the file only when -f is given or the project is not named: with -p alone it knows no orphans
    const ref = await r('-f', 'compose.yaml', 'ps', '--orphans=false', '--format', '{{.Name}}');
    expect(ref.stdout).not.toContain(`${project}-old-1`);
    same(await b('-f', 'compose.yaml', 'ps', '--no-orphans', '--format', '{{.Name}}'), ref);
    const all = await b('ps', '--format', '{{.Name}}');
    expect(all.stdout).toContain(`${project}-old-1`);
    same(all, await r('ps', '--format', '{{.Name}}'));
  });

  it('stats: templates, table templates, json keys, --no-trunc, a bad template', async () => {
    for (const format of ['{{.Name}} {{.ID}} {{.Container}}', 'table {{.Name}}\\t{{.ID}}\\t{{.Foo}}', '{{.Nope}}']) {
      same(await b('stats', '--no-stream', '--format', format), await r('stats', '--no-stream', '--format', format));
    }
    same(await b('stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}'), await r('stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}'));
    const keys = async (res: Promise<RunResult>) => (await res).stdout.trim().split('\n').map((l) => Object.keys(JSON.parse(l) as object));
    expect(await keys(b('stats', '--no-stream', '--format', 'json'))).toEqual(await keys(r('stats', '--no-stream', '--format', 'json')));
    // the default table: the same header and rows (values move, so only the columns that do not)
    const cols = (s: string) => s.split('\n').filter(Boolean).map((l) => l.split(/\s{2,}/).slice(0, 2).join('|'));
    expect(cols((await b('stats', '--no-stream')).stdout)).toEqual(cols((await r('stats', '--no-stream')).stdout));
  });

  it.each([['table'], ['pretty'], ['Table'], ['json'], ['JSON'], ['{{json.}}'], ['{{json .}}'], ['{{.ID}}']])('images --format %s', async (format) => {
    same(await b('images', '--format', format), await r('images', '--format', format));
  });

  it.each([['json'], ['{{json.}}'], ['table'], ['x']])('ls --filter name=<project> --format %s', async (format) => {
    same(await b('ls', '-a', '--filter', `name=${project}`, '--format', format), await r('ls', '-a', '--filter', `name=${project}`, '--format', format));
  });

  it('version --format: json is an object with the version, any other value the pretty line (compose 2.26)', async () => {
    for (const tool of [b, r]) {
      const json = await tool('version', '--format', 'json');
      expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(['version']);
      const other = await tool('version', '--format', 'xyz');
      expect(other.code).toBe(0);
      expect(other.stdout).toMatch(/ version v?\d+\.\d+\.\d+/);
    }
  });

  // `volumes` is newer than compose-ref (2.26 has no such command): compared with what the docker CLI lists
  // for the project's label, in docker/compose main's format (docker's volume formatter)
  it('volumes: the project\'s volumes, table, -q, templates, json, and only the mounted ones for a service', async () => {
    const v = `${project}_data`;
    expect(await b('volumes')).toMatchObject({ code: 0, stdout: `DRIVER    VOLUME NAME\nlocal     ${v}\n` });
    expect((await b('volumes', '-q')).stdout).toBe(`${v}\n`);
    const dockerLs = await docker(['volume', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Driver}} {{.Name}} {{.Mountpoint}}']);
    expect((await b('volumes', '--format', '{{.Driver}} {{.Name}} {{.Mountpoint}}')).stdout).toBe(dockerLs.stdout);
    const json = JSON.parse((await b('volumes', '--format', 'json')).stdout) as Record<string, string>;
    expect(Object.keys(json)).toEqual(['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status']);
    expect(json).toMatchObject({ Name: v, Driver: 'local', Scope: 'local' });
    expect((await b('volumes', '-q', 'web')).stdout).toBe(`${v}\n`);
    expect((await b('volumes', '-q', 'old')).stdout).toBe('');
    const bad = await b('volumes', 'nosuch');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no such service: nosuch');
  });
});
