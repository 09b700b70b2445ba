// Issue 15 acceptance: every command that changes the engine, run under --dry-run against a real stack, leaves
// the engine as it was (containers with their ids and states, networks, volumes, images with their ids and
// tags, the registry's tags), and its printed plan names each operation the same command then performs for
// real, as the engine's own event stream reports them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, berthBin, cleanup, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { REGISTRY, describeRegistry, registryTags, removeImages } from '../helpers/registry.js';

describeRegistry('--dry-run changes nothing, and plans what the real run does', () => {
  const project = uniqueProject('dryall');
  const repo = `${project}/app`;
  const appImage = `${REGISTRY}/${repo}:v1`;
  let dir = '';
  const p = (args: readonly string[]) => berth(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': [
        'services:',
        '  db:\n    image: busybox:local\n    command: sleep 600\n    stop_grace_period: 1s',
        '  web:\n    image: busybox:local\n    command: sleep 600\n    stop_grace_period: 1s\n    depends_on: [db]\n    volumes: [data:/data]',
        '  once:\n    image: busybox:local\n    command: "true"',
        `  app:\n    image: ${appImage}\n    build: ./ctx\n    command: sleep 600\n    profiles: [img]`,
        'volumes:\n  data: {}',
        '',
      ].join('\n'),
      'ctx/Dockerfile': `FROM busybox:local\nRUN echo ${project} > /built\n`,
      'file.txt': 'copied\n',
    });
  });
  afterAll(async () => {
    await cleanup(project, dir);
    await removeImages(project);
  });

  /** What the engine holds that a command of this project could change. */
  async function snapshot(): Promise<Record<string, string[]>> {
    const lines = async (args: string[]) => (await docker(args)).stdout.split('\n').filter(Boolean).sort();
    const label = `label=com.docker.compose.project=${project}`;
    const images = (await lines(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).filter((l) => l.includes(project) || l.endsWith(' busybox:local'));
    return {
      containers: await lines(['ps', '-a', '--no-trunc', '--filter', label, '--format', '{{.ID}} {{.Names}} {{.State}}']),
      networks: await lines(['network', 'ls', '--no-trunc', '--filter', label, '--format', '{{.ID}} {{.Name}}']),
      volumes: await lines(['volume', 'ls', '--filter', label, '--format', '{{.Name}}']),
      images,
      registry: await registryTags(repo),
    };
  }

  interface EngineEvent {
    Type: string;
    Action: string;
    Actor: { ID: string; Attributes: Record<string, string> };
  }

  /** The engine's events about this project's objects between two instants (seconds since the epoch). */
  async function events(since: number, until: number): Promise<EngineEvent[]> {
    const r = await docker(['events', '--since', since.toFixed(3), '--until', until.toFixed(3), '--format', '{{json .}}']);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EngineEvent)
      .filter((e) => {
        const a = e.Actor.Attributes ?? {};
        if (e.Type === 'container') return a['com.docker.compose.project'] === project;
        if (e.Type === 'network') return (a.name ?? '').startsWith(`${project}_`);
        if (e.Type === 'volume') return e.Actor.ID.startsWith(`${project}_`);
        if (e.Type === 'image') return (a.name ?? e.Actor.ID).includes(project);
        return false;
      });
  }

  // one-off containers get a random slug: the dry run's and the real run's differ
  const normal = (text: string) => text.replace(/-run-[0-9a-f]{12}/g, '-run-*');

  /**
   * The plan lines (any of them) that name what the event reports, or undefined for an event that is a
   * consequence of another operation, not one berth asked for (a process dying, a volume mounted on start, a
   * network endpoint joined on start, a read such as export or stat).
   */
  function expected(e: EngineEvent, before: Record<string, string[]>): string[] | undefined {
    const a = e.Actor.Attributes;
    const name = normal(a.name ?? e.Actor.ID);
    const action = e.Action.split(':')[0];
    if (e.Type === 'container') {
      const c = `container ${name}`;
      switch (action) {
        case 'create':
          return [`create ${c}`];
        case 'start':
          return [`start ${c}`, `restart ${c}`];
        case 'restart':
          return [`restart ${c}`];
        case 'stop':
          return [`stop ${c}`, `restart ${c}`];
        case 'kill':
          return [`kill ${c}`, `stop ${c}`, `restart ${c}`, `remove ${c}`];
        case 'destroy':
          return [`remove ${c}`, `create ${c} with auto-remove`];
        case 'pause':
        case 'unpause':
          // commit pauses the container while it copies (the engine's doing, not a request of its own)
          return [`${action} ${c}`, `commit ${c}`];
        case 'rename':
          return [`rename container ${normal((a.oldName ?? '').replace(/^\//, ''))} to ${name}`];
        case 'attach':
          return [`attach to ${c}`];
        case 'exec_create':
          return [`create exec ${JSON.stringify(e.Action.slice('exec_create: '.length).trim())} in ${c}`];
        case 'exec_start':
          return [`start exec in ${c}`];
        case 'extract-to-dir':
          return [`copy into ${c}:`];
        case 'commit':
          return [`commit ${c}`];
        default:
          return undefined; // die, exec_die, archive-path, export, resize, top
      }
    }
    if (e.Type === 'network' && (action === 'create' || action === 'destroy')) return [`${action === 'create' ? 'create' : 'remove'} network ${name}`];
    // the engine reports a create of an existing named volume each time a container that mounts it is created
    if (e.Type === 'volume' && action === 'create' && before.volumes.includes(name)) return undefined;
    if (e.Type === 'volume' && (action === 'create' || action === 'destroy')) return [`${action === 'create' ? 'create' : 'remove'} volume ${name}`];
    if (e.Type === 'image') {
      if (action === 'push') return [`push image ${name}`];
      if (action === 'pull') return [`pull image ${name}`];
      // a tag is made by a build, a pull, a commit or a tag; an untag by a rebuild or a removal
      if (action === 'tag') return [`image ${name}`, ` as ${name}`];
      if (action === 'untag' || action === 'delete') return ['build image', 'remove image', 'pull image'];
    }
    return undefined;
  }

  /**
   * The command under --dry-run: exit 0 and nothing changed; then for real: every operation it performed is
   * named by a line of the dry run's plan. Returns the plan, for command-specific checks.
   */
  async function dryThenReal(args: readonly string[], realCode = 0): Promise<string> {
    const before = await snapshot();
    const dry = await p(['--dry-run', ...args]);
    expect(dry.code, `--dry-run ${args.join(' ')}: ${dry.stderr}`).toBe(0);
    expect(await snapshot(), `--dry-run ${args.join(' ')} changed the engine`).toEqual(before);
    const plan = normal(dry.stdout);

    const since = Date.now() / 1000 - 0.05;
    const real = await p(args);
    expect(real.code, `${args.join(' ')}: ${real.stderr}`).toBe(realCode);
    await new Promise((r) => setTimeout(r, 300));
    const seen = await events(since, Date.now() / 1000);
    const missing = seen
      .map((e) => ({ event: `${e.Type} ${e.Action} ${e.Actor.Attributes.name ?? e.Actor.ID}`, want: expected(e, before) }))
      .filter((x) => x.want && !x.want.some((w) => plan.includes(w)));
    expect(missing, `${args.join(' ')}: operations the dry run did not plan; its plan was:\n${plan}`).toEqual([]);
    return plan;
  }

  it('create, start, pause, unpause, stop, restart, kill', async () => {
    expect(await dryThenReal(['create'])).toContain(`create container ${project}-web-1`);
    expect(await dryThenReal(['start'])).toContain(`start container ${project}-db-1`);
    expect(await dryThenReal(['pause', 'web'])).toContain(`pause container ${project}-web-1`);
    expect(await dryThenReal(['unpause', 'web'])).toContain(`unpause container ${project}-web-1`);
    expect(await dryThenReal(['stop', 'web'])).toContain(`stop container ${project}-web-1`);
    await dryThenReal(['start', 'web']);
    expect(await dryThenReal(['restart', 'web'])).toContain(`restart container ${project}-web-1`);
    expect(await dryThenReal(['kill', 'web'])).toContain(`kill container ${project}-web-1`);
  }, 180_000);

  it('up (recreate) and scale', async () => {
    expect(await dryThenReal(['up', '-d', 'web'])).toContain(`start container ${project}-web-1`);
    expect(await dryThenReal(['up', '-d', '--force-recreate', 'web'])).toContain(`rename container`);
    expect(await dryThenReal(['scale', 'web=2'])).toContain(`create container ${project}-web-2 (scale)`);
    expect(await dryThenReal(['scale', 'web=1'])).toContain(`remove container ${project}-web-2 (scale)`);
  }, 180_000);

  it('exec, run, cp', async () => {
    expect(await dryThenReal(['exec', '-T', 'web', 'echo', 'hi'])).toContain(`create exec "echo hi" in container ${project}-web-1 (exec)`);
    await dryThenReal(['exec', '-d', 'web', 'true']);
    expect(await dryThenReal(['run', '--rm', '-T', 'web', 'echo', 'hi'])).toMatch(new RegExp(`create container ${project}-web-run-\\* with auto-remove \\(run\\)`));
    await dryThenReal(['run', '-d', '--name', `${project}-oneoff`, 'web', 'true']);
    expect(await dryThenReal(['cp', 'file.txt', 'web:/tmp/file.txt'])).toContain(`copy into container ${project}-web-1:/tmp (cp)`);
    // out of a container: the dry run looks the source up and writes nothing on the host either
    const out = join(dir, 'from-web.txt');
    const dryOut = await p(['--dry-run', 'cp', 'web:/tmp/file.txt', out]);
    expect(dryOut.code, dryOut.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    const missing = await p(['--dry-run', 'cp', 'web:/no/such/file', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find the file /no/such/file in container');
    expect((await p(['cp', 'web:/tmp/file.txt', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('copied\n');
  }, 180_000);

  it('attach', async () => {
    const before = await snapshot();
    const dry = await p(['--dry-run', 'attach', '--no-stdin', 'db']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(dry.stdout).toBe(`attach to container ${project}-db-1 (attach)\n`);
    // the real attach lasts as long as the container: it is ended (killed, so that no signal reaches the
    // container) once the engine has reported the attach
    const since = Date.now() / 1000 - 0.05;
    const child = spawn(process.execPath, ['--', berthBin, '-p', project, 'attach', '--no-stdin', 'db'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    let seen: EngineEvent[] = [];
    for (let i = 0; i < 100 && !seen.some((e) => e.Action === 'attach'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await events(since, Date.now() / 1000);
    }
    child.kill('SIGKILL');
    await exited;
    expect(seen.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name}`)).toEqual([`container attach ${project}-db-1`]);
    expect(seen.every((e) => expected(e, before)?.some((w) => dry.stdout.includes(w)))).toBe(true);
  }, 60_000);

  it('build, up --build, push, pull', async () => {
    expect(await dryThenReal(['--profile', 'img', 'build', 'app'])).toContain(`build image ${appImage} (build)`);
    // up --build: the build is a step of up's plan too
    expect(await dryThenReal(['--profile', 'img', 'up', '-d', '--build', 'app'])).toContain(`build image ${appImage} (up)`);
    expect(await dryThenReal(['--profile', 'img', 'push', 'app'])).toContain(`push image ${appImage} (push)`);
    expect(await registryTags(repo)).toEqual(['v1']);
    expect(await dryThenReal(['--profile', 'img', 'pull', 'app'])).toContain(`pull image ${appImage} (pull)`);
  }, 240_000);

  it('commit and export', async () => {
    const file = join(dir, 'export.tar');
    expect(await dryThenReal(['commit', 'web', `${project}-snap:v1`])).toContain(`commit container ${project}-web-1 as ${project}-snap:v1`);
    await dryThenReal(['export', 'web', '-o', file]);
    await writeFile(file, '');
  }, 120_000);

  it('rm, wait --down-project, down', async () => {
    expect(await dryThenReal(['rm', '-s', '-f', 'web'])).toContain(`remove container ${project}-web-1 (rm)`);
    await p(['up', '-d']);
    // `once` runs `true`: the snapshot is taken once it has exited, as the real wait needs it to
    await docker(['wait', `${project}-once-1`]);
    const wait = await dryThenReal(['wait', '--down-project', 'once']);
    expect(wait).toContain(`remove container ${project}-db-1 (wait --down-project)`);
    expect(wait).toContain(`remove network ${project}_default (wait --down-project)`);
    await p(['up', '-d']);
    const down = await dryThenReal(['down', '-v']);
    expect(down).toContain(`remove volume ${project}_data (down -v)`);
  }, 180_000);
});
