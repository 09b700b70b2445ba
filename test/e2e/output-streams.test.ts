// Output where scripts read it (issue 16, item 3): each command, run by compose-ref and by berth on the same
// compose file (two projects whose names have the same length, so tables pad alike), prints the same stdout
// and the same stderr, compared separately. Ids, times and durations are normalised; stderr is compared as a
// set of lines, since compose's own order of parallel progress lines varies from run to run.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berthBin, cleanup, describeEngine, docker, projectDir, run, uniqueProject, type RunResult } from '../helpers/e2e.js';

const compose = `
services:
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo hello > /tmp/f; exec sleep 600"]
    ports: ["127.0.0.1::80"]
  db:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    volumes: ["/anon"]
`;

describeEngine('stdout and stderr, command by command, as compose-ref prints them', () => {
  const projects = { compose: uniqueProject('io'), berth: uniqueProject('io') };
  let dir = '';
  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose });
    await writeFile(join(dir, 'local.txt'), 'from the host\n');
  });
  // db's anonymous /anon volumes outlive the steps that remove containers without -v (as compose leaves them):
  // each is noted while its container exists and removed at the end
  const anonymous = new Set<string>();
  const noteAnonymous = async () => {
    for (const p of Object.values(projects)) {
      const ids = (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${p}`])).stdout.split('\n').filter(Boolean);
      for (const id of ids) {
        const names = (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}} {{end}}{{end}}', id])).stdout.split(' ');
        for (const n of names.map((x) => x.trim()).filter(Boolean)) anonymous.add(n);
      }
    }
  };
  afterAll(async () => {
    await noteAnonymous();
    await cleanup(projects.compose, dir);
    await cleanup(projects.berth);
    for (const v of anonymous) await docker(['volume', 'rm', '-f', v]);
  });

  const both = (args: readonly string[], input = ''): Promise<[RunResult, RunResult]> =>
    Promise.all([
      run('compose-ref', ['-p', projects.compose, ...args.map((a) => a.replace('$OUT', `out-compose`))], { cwd: dir, input }),
      run(process.execPath, ['--', berthBin, '-p', projects.berth, ...args.map((a) => a.replace('$OUT', `out-berth`))], { cwd: dir, input }),
    ]);

  const normalise = (r: RunResult, project: string, digits: boolean) => {
    const n = (s: string) => {
      let t = s.replaceAll(project, 'P').replace(/out-(compose|berth)/g, 'OUT');
      t = t.replace(/\b[0-9a-f]{12,64}\b/g, 'ID');
      t = t.replace(/(About )?(an?|\d+) (second|minute|hour)s? ago/g, 'AGO').replace(/Up (About )?(an?|Less than a|\d+) \w+/g, 'Up X');
      t = t.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/\d+(\.\d+)?m?s\b/g, 'T');
      if (digits) t = t.replace(/\d+/g, 'N').replace(/\d{2}:\d{2}(:\d{2})?/g, 'TIME');
      return t.replace(/[ \t]+/g, ' ').replace(/ +$/gm, '');
    };
    return { code: r.code, stdout: n(r.stdout), stderr: n(r.stderr).split('\n').filter(Boolean).sort() };
  };

  // in order: each step leaves both projects in the same state for the next
  const steps: { args: string[]; input?: string; digits?: boolean }[] = [
    { args: ['up', '-d'] },
    { args: ['ps'] },
    { args: ['ps', '-a', '--services'] },
    { args: ['ps', '-q'] },
    { args: ['images'] },
    { args: ['top'], digits: true },
    { args: ['port', 'web', '80'] },
    { args: ['pause', 'web'] },
    { args: ['unpause', 'web'] },
    { args: ['stop', 'db'] },
    // not -f: the list goes to stdout with no line end, and a piped "n" keeps the containers
    { args: ['rm', 'db'], input: 'n\n' },
    { args: ['rm', 'db'], input: 'y\n' },
    { args: ['rm', '-f', 'db'] },
    { args: ['create', 'db'] },
    { args: ['start'] },
    { args: ['restart', 'db'] },
    { args: ['kill', 'db'] },
    { args: ['rm', '-f'] },
    { args: ['scale', 'db=2'] },
    { args: ['stop', '-t', '1'] },
    { args: ['start'] },
    { args: ['cp', 'web:/tmp/f', '$OUT'] },
    { args: ['cp', 'local.txt', 'web:/tmp/g'] },
    { args: ['build'] },
    { args: ['ls', '-q', '--filter', 'name=$PROJECT'] },
    { args: ['down'] },
    { args: ['ps', '-a'] },
  ];

  it('each step: same exit code, stdout and stderr', async () => {
    const diffs: string[] = [];
    for (const step of steps) {
      await noteAnonymous();
      const [c, b] = await both(
        step.args.map((a) => a),
        step.input,
      );
      const label = step.args.join(' ');
      // `ls --filter name=…` names each tool's own project
      if (step.args.includes('name=$PROJECT')) {
        const [c2, b2] = await Promise.all([
          run('compose-ref', ['ls', '-q', '--filter', `name=${projects.compose}`], { cwd: dir }),
          run(process.execPath, ['--', berthBin, 'ls', '-q', '--filter', `name=${projects.berth}`], { cwd: dir }),
        ]);
        expect(normalise(b2, projects.berth, false), label).toEqual(normalise(c2, projects.compose, false));
        continue;
      }
      const nc = normalise(c, projects.compose, !!step.digits);
      const nb = normalise(b, projects.berth, !!step.digits);
      if (JSON.stringify(nb) !== JSON.stringify(nc)) diffs.push(`${label}\n compose: ${JSON.stringify(nc)}\n berth:   ${JSON.stringify(nb)}`);
    }
    expect(diffs.join('\n\n')).toBe('');
  });
});
