// Issue 7: the typed API used the way a Node test suite would, against the real engine.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createStack, pruneSessions, ServiceHandle, StackError, type ComposeFile } from '../../src/api/index.js';
import { createDockerEngine } from '../../src/engine/dockerode/index.js';
import { berth, cleanup, describeEngine, freePort, leftovers, projectDir, repoRoot, run, uniqueProject } from '../helpers/e2e.js';

const busy = (cmd: string) => ['sh', '-c', cmd];

describeEngine('createStack()', () => {
  const projects: string[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => cleanup(p)));
  });

  it('up with readiness overrides, service handles, ps, logs, exec; await using leaves nothing', async () => {
    const name = uniqueProject('api');
    projects.push(name);
    const compose: ComposeFile = {
      services: {
        db: {
          image: 'busybox:local',
          init: true,
          command: busy('touch /tmp/ok; exec sleep 3600'),
          healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ok'], interval: '500ms' },
          volumes: ['data:/data'],
        },
        web: {
          image: 'busybox:local',
          init: true,
          command: busy('mkdir -p /www && echo hello-api > /www/index.html && exec httpd -f -p 8080 -h /www'),
          ports: ['127.0.0.1::8080'],
          depends_on: { db: { condition: 'service_healthy' } },
        },
        worker: { image: 'busybox:local', init: true, command: busy('sleep 1; echo worker ready; exec sleep 3600') },
      },
      volumes: { data: {} },
    };
    let seen = '';
    {
      await using stack = await createStack({ compose, projectName: name });
      await stack.up({ waitFor: { web: { http: '/index.html', port: 8080 }, worker: { log: /worker ready/ } }, onEvent: (e) => (seen += e.type) });
      expect(seen).toContain('resource');
      const web = stack.service('web');
      expect(web.host).toBe('127.0.0.1');
      expect(await (await fetch(web.url(8080, '/index.html'))).text()).toBe('hello-api\n');
      // serializable for provide/inject, and usable again on the other side
      const copy = ServiceHandle.fromJSON(JSON.parse(JSON.stringify(web)));
      expect(copy.url(8080)).toBe(web.url(8080));
      expect(copy.containers).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{64}$/), name: `${name}-web-1` }]);
      expect(() => stack.service('db').port(5432)).toThrow(/does not publish 5432\/tcp/);

      const rows = await stack.ps();
      expect(rows.map((r) => r.service).sort()).toEqual(['db', 'web', 'worker']);

      const lines: string[] = [];
      for await (const line of stack.logs({ services: ['worker'] })) lines.push(line.text);
      expect(lines).toContain('worker ready');

      const r = await stack.exec('db', busy('echo out; echo err >&2; exit 3'));
      expect(r).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
      // a one-off container of the service: output captured, exit code kept, container removed afterwards
      const once = await stack.run('web', busy('echo run-out $RUN_VAR; echo run-err >&2; exit 5'), { env: { RUN_VAR: 'v1' } });
      expect(once).toEqual({ exitCode: 5, stdout: 'run-out v1\n', stderr: 'run-err\n' });
      expect((await leftovers(name)).containers.filter((c) => c.includes('-run-'))).toEqual([]);
      // the CLI sees the same stack (one code path, same names and labels)
      const cli = await berth(['-p', name, 'ps', '--services']);
      expect(cli.stdout.trim().split('\n').sort()).toEqual(['db', 'web', 'worker']);
    }
    expect(await leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('a service that turns unhealthy fails up with a StackError: code, service and its last log lines', async () => {
    const name = uniqueProject('api-sick');
    projects.push(name);
    await using stack = await createStack({
      projectName: name,
      compose: { services: { sick: { image: 'busybox:local', init: true, command: busy('echo i am sick; exec sleep 3600'), healthcheck: { test: ['CMD', 'false'], interval: '300ms', retries: 2 } } } },
    });
    const err = await stack.up({ waitTimeout: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('UNHEALTHY');
    expect((err as StackError).service).toBe('sick');
    expect((err as StackError).logs).toContain('i am sick');
  });

  it('a stack from files on disk, with env and profiles', async () => {
    const name = uniqueProject('api-files');
    projects.push(name);
    const port = await freePort();
    const dir = await projectDir({
      'compose.yaml': `services:\n  web:\n    image: busybox:local\n    init: true\n    command: ["httpd", "-f", "-p", "80", "-h", "/"]\n    ports: ["127.0.0.1:\${PORT}:80"]\n  extra:\n    image: busybox:local\n    profiles: [extra]\n    command: ["sleep", "3600"]\n`,
    });
    await using stack = await createStack({ projectDirectory: dir, files: [join(dir, 'compose.yaml')], projectName: name, env: { PORT: String(port) } });
    await stack.up({ waitFor: { web: { port: 80 } } });
    expect(stack.service('web').port(80)).toBe(port);
    expect((await stack.ps()).map((r) => r.service)).toEqual(['web']);
  });
});

describeEngine('crash cleanup and concurrency', () => {
  const compose: ComposeFile = {
    services: {
      a: { image: 'busybox:local', init: true, command: ['sleep', '3600'], healthcheck: { test: ['CMD', 'true'], interval: '1s' } },
      b: { image: 'busybox:local', init: true, command: ['sleep', '3600'], depends_on: { a: { condition: 'service_healthy' } }, volumes: ['vol:/v'] },
      c: { image: 'busybox:local', init: true, command: ['sleep', '3600'], depends_on: ['b'] },
    },
    volumes: { vol: {} },
  };
  const projects: string[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => cleanup(p)));
  });

  it('a process killed mid-up leaves nothing once `berth down --session` runs', async () => {
    const name = uniqueProject('crash');
    const session = `s${Date.now()}`;
    projects.push(name);
    const dir = await projectDir({ 'compose.json': JSON.stringify(compose) });
    const child = spawn(process.execPath, [join(repoRoot, 'test/e2e/fixtures/stack-child.mjs'), join(dir, 'compose.json'), name, session], { cwd: dir, stdio: 'ignore' });
    const engine = createDockerEngine();
    // kill it as soon as something of the stack exists, before it could finish
    for (let i = 0; i < 200; i++) {
      if ((await engine.listContainers({ all: true, labels: [`dev.berth.session=${session}`] })).length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = await leftovers(name);
    expect(before.containers.length + before.networks.length).toBeGreaterThan(0);
    const r = await berth(['down', '--session', session]);
    expect(r.code, r.stderr).toBe(0);
    expect(await leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('prune() removes what sessions of dead processes left', async () => {
    const name = uniqueProject('prune');
    projects.push(name);
    const dir = await projectDir({ 'compose.json': JSON.stringify(compose) });
    const session = `p${Date.now()}`;
    const r = await run(process.execPath, [join(repoRoot, 'test/e2e/fixtures/stack-child.mjs'), join(dir, 'compose.json'), name, session], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((await leftovers(name)).containers).toHaveLength(3);
    // the child has exited: its session is dead
    const removed = await pruneSessions();
    expect(removed.containers.filter((c) => c.startsWith(name))).toHaveLength(3);
    expect(await leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('two processes bringing up one project at once end with exactly one container per service', async () => {
    const name = uniqueProject('twice');
    projects.push(name);
    const dir = await projectDir({ 'compose.json': JSON.stringify(compose) });
    await writeFile(join(dir, 'x'), '');
    const go = () => run(process.execPath, [join(repoRoot, 'test/e2e/fixtures/stack-child.mjs'), join(dir, 'compose.json'), name, 'shared'], { cwd: dir });
    const [r1, r2] = await Promise.all([go(), go()]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    expect((await leftovers(name)).containers).toEqual([`${name}-a-1`, `${name}-b-1`, `${name}-c-1`]);
  });
});

describeEngine('createStack(): the remaining options', () => {
  const projects: string[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => cleanup(p)));
  });

  it('envFiles, up({ build, services }), logs({ follow, signal }), down({ volumes: false, timeout })', async () => {
    const name = uniqueProject('api-more');
    projects.push(name);
    const dir = await projectDir({
      'vars.env': 'GREETING=from-env-file\n',
      'app/Dockerfile': 'FROM busybox:local\nRUN echo built > /built.txt\n',
      'compose.yaml': `
services:
  app:
    build: ./app
    init: true
    command: ["sh", "-c", "cat /built.txt; echo \${GREETING}; i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.2; done"]
    volumes: [keep:/keep]
  other:
    image: busybox:local
    command: ["sleep", "3600"]
volumes:
  keep:
`,
    });
    const stack = await createStack({ projectDirectory: dir, files: [join(dir, 'compose.yaml')], projectName: name, envFiles: [join(dir, 'vars.env')] });
    try {
      await stack.up({ build: true, services: ['app'] });
      expect((await stack.ps()).map((r) => r.service)).toEqual(['app']);

      // follow until we have seen enough, then stop following through the signal
      const controller = new AbortController();
      const seen: string[] = [];
      for await (const line of stack.logs({ services: ['app'], follow: true, signal: controller.signal })) {
        seen.push(line.text);
        if (seen.filter((t) => t.startsWith('tick')).length >= 3) controller.abort();
      }
      expect(seen.slice(0, 2)).toEqual(['built', 'from-env-file']);
      expect(seen.filter((t) => t.startsWith('tick')).length).toBeGreaterThanOrEqual(3);

      // an aborted signal stops up before it changes anything
      const aborted = AbortSignal.abort(new Error('stop now'));
      await expect(stack.up({ services: ['other'], signal: aborted })).rejects.toThrow();
      expect((await leftovers(name)).containers).toEqual([`${name}-app-1`]);

      await stack.down({ volumes: false, timeout: 1 });
      expect(await leftovers(name)).toEqual({ containers: [], networks: [], volumes: [`${name}_keep`] });
    } finally {
      await cleanup(name);
      await run('docker', ['rmi', '-f', `${name}-app`]);
    }
  });
});
