// Data is sacred (issue 14): checksummed data in a named and an anonymous volume through --force-recreate,
// down/up, up -V and down -v — run with berth and with compose-ref, each on a project of its own, and berth must
// keep exactly what compose keeps. (converge.test.ts proves the berth side of --force-recreate, -V and down -v
// on their own; this adds down/up, the comparison with compose, and what happens to replaced anonymous volumes.)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject, type RunResult } from '../helpers/e2e.js';

const compose = `services:
  db:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    volumes: [data:/data, /anon]
volumes:
  data:
`;

type Tool = (args: string[], o: { cwd: string }) => Promise<RunResult>;

interface Observation {
  step: string;
  named: 'kept' | 'lost';
  anon: 'kept' | 'lost';
  /** Anonymous volumes seen so far that still exist (the engine's, whoever made them). */
  anonVolumesLeft: number;
  /** Volumes labelled with the project. */
  projectVolumes: string[];
}

async function sequence(tool: Tool, project: string, dir: string, anonSeen: Set<string>): Promise<Observation[]> {
  const p = async (...args: string[]) => {
    const r = await tool(['-p', project, ...args], { cwd: dir });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  };
  const container = `${project}-db-1`;
  const anonName = async () => (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}', container])).stdout.trim();
  let sums = '';
  const write = async () => {
    const w = await docker(['exec', container, 'sh', '-c', 'head -c 65536 /dev/urandom > /data/blob; head -c 65536 /dev/urandom > /anon/blob; md5sum /data/blob; md5sum /anon/blob']);
    expect(w.code, w.stderr).toBe(0);
    sums = w.stdout;
    anonSeen.add(await anonName());
  };
  const observe = async (step: string): Promise<Observation> => {
    const [named, anon] = sums.trim().split('\n');
    const read = async (f: string) => (await docker(['exec', container, 'md5sum', f])).stdout.trim();
    const o = {
      step,
      named: (await read('/data/blob')) === named ? 'kept' : 'lost',
      anon: (await read('/anon/blob')) === anon ? 'kept' : 'lost',
    } as const;
    anonSeen.add(await anonName());
    return { ...o, ...(await volumes(project, anonSeen)) };
  };
  const out: Observation[] = [];
  await p('up', '-d');
  await write();
  await p('up', '-d', '--force-recreate');
  out.push(await observe('up --force-recreate'));
  await write();
  await p('down');
  await p('up', '-d');
  out.push(await observe('down; up'));
  await write();
  await p('up', '-d', '--force-recreate', '-V');
  out.push(await observe('up --force-recreate -V'));
  await write();
  await p('down', '-v');
  out.push({ step: 'down -v', named: 'lost', anon: 'lost', ...(await volumes(project, anonSeen)) });
  return out;
}

async function volumes(project: string, anonSeen: Set<string>): Promise<{ anonVolumesLeft: number; projectVolumes: string[] }> {
  const labelled = (await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.split('\n').filter(Boolean);
  let left = 0;
  for (const v of anonSeen) if (v && (await docker(['volume', 'inspect', v])).code === 0) left++;
  return { anonVolumesLeft: left, projectVolumes: labelled.filter((v) => !anonSeen.has(v)).map((v) => v.replace(project, '<p>')).sort() };
}

describeEngine('volume data: berth keeps exactly what compose keeps', () => {
  const ours = uniqueProject('data');
  const theirs = uniqueProject('data-ref');
  const anonOurs = new Set<string>();
  const anonTheirs = new Set<string>();
  let dir = '';
  afterAll(async () => {
    await Promise.all([cleanup(ours), cleanup(theirs, dir)]);
    for (const v of [...anonOurs, ...anonTheirs]) if (v) await docker(['volume', 'rm', '-f', v]);
  });

  it('force-recreate, down/up, -V, down -v: the same data kept and the same volumes left', async () => {
    dir = await projectDir({ 'compose.yaml': compose });
    const [b, c] = await Promise.all([sequence(berth, ours, dir, anonOurs), sequence(composeRef, theirs, dir, anonTheirs)]);
    expect(b).toEqual(c);
    // and what that is, so a change on either side is seen here (observed with compose-ref 2.26.1)
    expect(b.map((o) => `${o.step}: named ${o.named}, anon ${o.anon}`)).toEqual([
      'up --force-recreate: named kept, anon kept',
      'down; up: named kept, anon lost',
      'up --force-recreate -V: named kept, anon lost',
      'down -v: named lost, anon lost',
    ]);
  });
});

describeEngine('a compose file that says nothing removes nothing', () => {
  const project = uniqueProject('emptied');
  let dir = '';
  afterAll(() => cleanup(project, dir));

  // fixed by issue-14a (defect 1: today the emptied file is a project with no services, and --remove-orphans
  // removes the whole stack, exit 0; compose refuses: "empty compose file", exit 15, and touches nothing)
  it('an emptied compose file: up -d --remove-orphans fails and every container is kept', async () => {
    dir = await projectDir({ 'compose.yaml': compose });
    const first = await berth(['-p', project, 'up', '-d'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const before = (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim();
    expect(before).not.toBe('');
    await writeFile(join(dir, 'compose.yaml'), '');
    const r = await berth(['-p', project, 'up', '-d', '--remove-orphans'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/empty/i);
    expect((await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim()).toBe(before);
  });
});
