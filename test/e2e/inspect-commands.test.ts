// Issue 5: create, --dry-run for start/stop/rm, top, port, images, events, ls, version, cp, stats, attach, scale,
// shell completion; and the acceptance point: `ps`, `ls`, `images`, `version` with --format json parse as JSON
// and carry the fields compose-ref prints (compared on the same stack).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, berthBin, cleanup, composeRef, describeEngine, docker, projectDir, run, uniqueProject } from '../helpers/e2e.js';

const compose = `
services:
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 600"]
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 600"]
    depends_on: [db]
    ports: ["127.0.0.1::80", "127.0.0.1::53/udp"]
  ticker:
    image: busybox:local
    init: true
    profiles: [tick]
    command: ["sh", "-c", "sleep 2; echo tick one; echo tick two >&2; exit 6"]
`;

const state = async (name: string) => (await docker(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
const keys = (o: object) => Object.keys(o).sort();

describeEngine('berth inspection and maintenance commands', () => {
  const project = uniqueProject('insp');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, '--progress', 'plain', ...args], { cwd: dir });
  const ref = (...args: string[]) => composeRef(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose, 'host.txt': 'from the host\n' });
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('create makes the containers without starting them; --dry-run start/stop/rm print the plan and change nothing', async () => {
    const c = await p('create');
    expect(c.code, c.stderr).toBe(0);
    expect(await state(`${project}-db-1`)).toBe('created');
    expect(await state(`${project}-web-1`)).toBe('created');

    const start = await p('--dry-run', 'start');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toBe(`start container ${project}-db-1 (start)\nstart container ${project}-web-1 (start)\n`);
    expect(await state(`${project}-db-1`)).toBe('created');

    expect((await p('start')).code).toBe(0);
    const stop = await p('--dry-run', 'stop', '-t', '1');
    expect(stop.stdout).toBe(`stop container ${project}-web-1 (stop)\nstop container ${project}-db-1 (stop)\n`);
    const rm = await p('--dry-run', 'rm', '-s', 'web');
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toBe(`stop container ${project}-web-1 (rm -s)\nremove container ${project}-web-1 (rm)\n`);
    expect(await state(`${project}-web-1`)).toBe('running');
    expect(await state(`${project}-db-1`)).toBe('running');
  });

  it('top, port (--protocol, --index) and images print what compose-ref prints', async () => {
    const top = await p('top');
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(new RegExp(`^${project}-db-1\\nUID +PID +PPID +C +STIME +TTY +TIME +CMD\\n`));
    expect(top.stdout).toContain(`\n\n${project}-web-1\n`);
    expect(top.stdout).toContain('sleep 600');

    for (const args of [['web', '80'], ['--protocol', 'udp', 'web', '53'], ['--index', '1', 'web', '80']]) {
      const mine = await p('port', ...args);
      const theirs = await ref('port', ...args);
      expect(mine.code, mine.stderr).toBe(0);
      expect(mine.stdout).toBe(theirs.stdout);
    }
    const none = await p('port', 'web', '81');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no port 81/tcp for container');
    expect((await p('port', '--index', '3', 'web', '80')).code).toBe(1);

    for (const args of [['images'], ['images', '-q'], ['images', 'web']]) {
      const mine = await p(...args);
      expect(mine.code, mine.stderr).toBe(0);
      expect(mine.stdout).toBe((await ref(...args)).stdout);
    }
  });

  it('acceptance: ps, ls, images, version with --format json parse as JSON and carry compose-ref\'s fields', async () => {
    // ps: one object per line, compose's field names, and the same values where they are deterministic
    const ps = (await p('ps', '--format', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const psRef = (await ref('ps', '--format', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ps.map(keys)).toEqual(psRef.map(keys));
    for (const [i, row] of ps.entries()) {
      for (const k of ['Name', 'Service', 'Project', 'State', 'Image', 'ID', 'Ports', 'Publishers', 'Networks', 'ExitCode', 'Health']) expect(row[k], k).toEqual(psRef[i][k]);
      // compose joins the labels in Go's (random) map order: compared as a set
      const labelSet = (v: unknown) => String(v).split(',').sort();
      expect(labelSet(row.Labels)).toEqual(labelSet(psRef[i].Labels));
    }

    // ls: ONE array; this project's entry equal to compose-ref's
    const ls = JSON.parse((await p('ls', '--format', 'json', '-a')).stdout) as Record<string, unknown>[];
    const lsRef = JSON.parse((await ref('ls', '--format', 'json', '-a')).stdout) as Record<string, unknown>[];
    expect(Array.isArray(ls)).toBe(true);
    const mine = ls.find((e) => e.Name === project);
    expect(mine).toEqual(lsRef.find((e) => e.Name === project));
    expect(keys(mine!)).toEqual(keys(lsRef[0]));

    const images = JSON.parse((await p('images', '--format', 'json')).stdout) as Record<string, unknown>[];
    expect(images).toEqual(JSON.parse((await ref('images', '--format', 'json')).stdout));

    const version = JSON.parse((await berth(['version', '--format', 'json'])).stdout) as Record<string, unknown>;
    const versionRef = JSON.parse((await composeRef(['version', '--format', 'json'])).stdout) as Record<string, unknown>;
    expect(keys(version)).toEqual(keys(versionRef));
    expect((await berth(['version', '--short'])).stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it('ls: -q, --filter, running projects only without -a', async () => {
    const q = await berth(['ls', '-q', '--filter', `name=${project}`]);
    expect(q.stdout).toBe(`${project}\n`);
    const table = await berth(['ls', '--filter', `name=${project}`]);
    expect(table.stdout).toMatch(new RegExp(`^NAME +STATUS +CONFIG FILES\\n${project} +running\\(2\\) +${dir}/compose.yaml\\n$`));
  });

  it('stats --no-stream: one sample per running container, compose-ref\'s columns and JSON fields', async () => {
    const s = await p('stats', '--no-stream');
    expect(s.code, s.stderr).toBe(0);
    const [head, ...rows] = s.stdout.trim().split('\n');
    // the same columns; their padding follows each tool's own sample (a wider NET I/O value widens it)
    const columns = (line: string) => line.trim().split(/ {2,}/);
    expect(columns(head)).toEqual(columns((await ref('stats', '--no-stream')).stdout.split('\n')[0]));
    expect(rows.map((r) => r.split(/ {2,}/)[1]).sort()).toEqual([`${project}-db-1`, `${project}-web-1`]);
    const json = (await p('stats', '--no-stream', '--format', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const jsonRef = (await ref('stats', '--no-stream', '--format', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(json.map(keys)).toEqual(jsonRef.map(keys));
    expect(json[0].MemUsage).toMatch(/^[\d.]+[KMG]?i?B \/ [\d.]+[KMG]?i?B$/);
  });

  it('events --json: the project\'s container events as compose-ref prints them', async () => {
    const child = spawn(process.execPath, [berthBin, '-p', project, 'events', '--json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect((await p('pause', 'db')).code).toBe(0);
      expect((await p('unpause', 'db')).code).toBe(0);
      for (let i = 0; i < 50 && !out.includes('"unpause"'); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill('SIGINT');
    }
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pause = events.find((e) => e.action === 'pause')!;
    expect(pause).toMatchObject({ type: 'container', service: 'db', attributes: { image: 'busybox:local', name: `${project}-db-1` } });
    expect(keys(pause)).toEqual(['action', 'attributes', 'id', 'service', 'time', 'type']);
    expect(pause.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('events --since/--until (the newer compose\'s): past events replayed, then the command ends by itself', async () => {
    // (the test before paused db too, a moment ago: only this test's events are after this instant)
    await new Promise((r) => setTimeout(r, 200));
    const since = new Date(Date.now() - 20).toISOString();
    expect((await p('pause', 'db')).code).toBe(0);
    expect((await p('unpause', 'db')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const r = await p('events', '--json', '--since', since, '--until', '0s', 'db');
    expect(r.code, r.stderr).toBe(0);
    const actions = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string; service: string }));
    expect(actions.filter((e) => e.action === 'pause' || e.action === 'unpause').map((e) => e.action)).toEqual(['pause', 'unpause']);
    expect(actions.every((e) => e.service === 'db')).toBe(true);
    const bad = await p('events', '--since', 'yesterday-ish');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('invalid --since');
  });

  it('cp both ways, into a directory and under a new name, with --index and -a', async () => {
    expect((await p('cp', join(dir, 'host.txt'), 'web:/tmp/')).code).toBe(0);
    expect((await p('exec', '-T', 'web', 'cat', '/tmp/host.txt')).stdout).toBe('from the host\n');
    expect((await p('cp', '-a', join(dir, 'host.txt'), 'web:/tmp/renamed.txt')).code).toBe(0);
    expect((await p('exec', '-T', 'web', 'cat', '/tmp/renamed.txt')).stdout).toBe('from the host\n');
    expect((await p('exec', '-T', 'web', 'sh', '-c', 'mkdir -p /tmp/d/sub && echo inner > /tmp/d/sub/f')).code).toBe(0);
    const out = await mkdtemp(join(tmpdir(), 'berth-cp-'));
    const c1 = await p('cp', '--index', '1', 'web:/tmp/d', out);
    expect(c1.code, c1.stderr).toBe(0);
    expect(await readFile(join(out, 'd/sub/f'), 'utf8')).toBe('inner\n');
    expect((await p('cp', 'web:/tmp/renamed.txt', join(out, 'copy.txt'))).code).toBe(0);
    expect(await readFile(join(out, 'copy.txt'), 'utf8')).toBe('from the host\n');
    await writeFile(join(out, 'copy.txt'), 'changed\n');
    expect((await p('cp', join(out, 'copy.txt'), 'db:/tmp/x.txt')).code).toBe(0);
    expect((await p('exec', '-T', 'db', 'cat', '/tmp/x.txt')).stdout).toBe('changed\n');
    const missing = await p('cp', 'web:/nope', out);
    expect(missing.code).toBe(1);
    await run('rm', ['-rf', out]);
  });

  it('attach prints a service container\'s output until it stops and returns its exit code', async () => {
    expect((await p('--profile', 'tick', 'up', '-d', 'ticker')).code).toBe(0);
    const a = await p('--profile', 'tick', 'attach', '--no-stdin', 'ticker');
    expect(a.code, a.stderr).toBe(6);
    expect(a.stdout).toContain('tick one\n');
    expect(a.stderr).toContain('tick two\n');
  });

  it('scale sets the number of containers of a service', async () => {
    const up = await p('scale', 'web=2');
    expect(up.code, up.stderr).toBe(0);
    expect(await state(`${project}-web-2`)).toBe('running');
    expect((await p('scale', 'web=1')).code).toBe(0);
    expect((await docker(['ps', '-aq', '--filter', `name=${project}-web-2`])).stdout.trim()).toBe('');
  });

  it('completion: commands, flags and the compose file\'s service names (bash; zsh through bashcompinit)', async () => {
    const script = (await berth(['completion', 'bash'])).stdout;
    const complete = async (line: string) => {
      const words = line.split(' ');
      const sh = `berth() { ${JSON.stringify(process.execPath)} ${JSON.stringify(berthBin)} "$@"; }\n${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _berth; echo "\${COMPREPLY[*]}"`;
      return (await run('bash', ['-c', sh], { cwd: dir })).stdout.trim().split(' ').sort();
    };
    // export is a command too (newer compose's, issue 16)
    expect(await complete('berth ex')).toEqual(['exec', 'export']);
    expect(await complete('berth exec --pr')).toEqual(['--privileged']);
    expect(await complete('berth exec ')).toEqual(['db', 'web']);
    expect(await complete(`berth -f ${dir}/compose.yaml logs w`)).toEqual(['web']);
    expect(await complete('berth --dry')).toEqual(['--dry-run']);
    const zsh = (await berth(['completion', 'zsh'])).stdout;
    expect(zsh.startsWith('#compdef berth\n')).toBe(true);
    expect((await berth(['completion', 'fish'])).code).toBe(1);
  });
});
