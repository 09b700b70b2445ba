// Issue 21 on the newer engine (Docker 26, BuildKit 0.13; scripts/engine-next.sh), where berth's control-API
// builds (POST /grpc, Control.Solve) carry what Docker 20.10's builder cannot do: additional_contexts (local
// directories served by the session, another service's image built first, docker-image:// references), each
// beside compose-ref building the same file against the same engine, images compared by config, layers and
// file contents. compose-ref 2.26.1 has no `service:` contexts; it gets the equivalent docker-image:// of
// the base image it built.
// Registry caches (cache_to/cache_from type=registry through CacheExports/CacheImports) need the containerd
// image store: two such engines, each in its own network namespace, joined by a veth pair the test makes; a
// registry (Debian's docker-registry, as scripts/local-registry.sh runs it) inside the first one's namespace
// on the pair's address, which both engines are told to reach over plain HTTP (insecure-registries). The
// first engine builds and exports; the second, whose builder cache is empty, imports: its steps are CACHED.
import { spawn, execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, composeRef, projectDir, run, uniqueProject } from '../helpers/e2e.js';
import { describeSecondEngine, ENGINE_NEXT_DOCKERD, SecondEngine } from '../helpers/second-engine.js';

const files: Record<string, string> = {
  'base.Dockerfile': 'FROM busybox:local\nRUN echo "the base" > /base.txt\nENV FROM_BASE=1\n',
  'app/Dockerfile': `FROM base
COPY --from=extra / /extra/
COPY --from=context c.txt /c.txt
COPY --from=img /bin/busybox /img-busybox
COPY app.txt /app.txt
CMD ["cat", "/app.txt"]
`,
  'app/app.txt': 'the app\n',
  'extra/e.txt': 'from the extra directory\n',
  'extra/sub/deep.txt': 'deeper\n',
  'extra/ignored.txt': 'must not be sent\n',
  'extra/.dockerignore': 'ignored.txt\n',
  // a context named "context" (the frontend's own name for the main context) is served under another name
  'ctx2/c.txt': 'from the context named context\n',
};

const composeFile = (prefix: string, base: string) => `
services:
  base:
    image: ${prefix}-base
    build: { context: ., dockerfile: base.Dockerfile, network: host }
  app:
    image: ${prefix}-app
    build:
      context: ./app
      additional_contexts:
        base: ${base}
        extra: ./extra
        context: ./ctx2
        img: docker-image://busybox:local
`;

const SHOW = 'cd / && find /extra /c.txt /base.txt /app.txt /img-busybox | sort && md5sum /c.txt /base.txt /app.txt /img-busybox $(find /extra -type f | sort)';

describeSecondEngine('BuildKit 0.13 through the control API (Docker 26): additional_contexts', () => {
  const engine = new SecondEngine('b8g', { dockerd: ENGINE_NEXT_DOCKERD });
  const project = uniqueProject('b8g');
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const dockerNext = (args: string[]) => engine.docker(args);

  beforeAll(async () => {
    await engine.start();
    await engine.loadBusybox();
    env = { DOCKER_HOST: engine.host };
    dir = await projectDir({
      ...files,
      'compose.yaml': composeFile(`${project}-mine`, 'service:base'),
      'ref.yaml': composeFile(`${project}-ref`, `docker-image://${project}-ref-base`),
    });
  }, 180_000);
  afterAll(async () => {
    await engine.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('directories, a service: reference (built first, unasked) and docker-image://: the same image as compose-ref', async () => {
    const mine = await berth(['-p', project, '--progress', 'plain', 'build', 'app'], { cwd: dir, env });
    expect(mine.code, mine.stderr).toBe(0);
    // the base service was built, before app, although only app was asked for
    // (plain progress goes to stdout, as compose's does)
    expect(mine.stdout).toMatch(/#\d+ \[base [^]*#\d+ \[app /);
    expect(mine.stdout).not.toMatch(/#\d+ \[app [^]*#\d+ \[base /);
    expect(mine.stdout).toContain('[app context extra] load from client');

    const refBase = await composeRef(['-p', project, '-f', 'ref.yaml', 'build', 'base'], { cwd: dir, env });
    expect(refBase.code, refBase.stderr).toBe(0);
    const theirs = await composeRef(['-p', project, '-f', 'ref.yaml', '--progress', 'plain', 'build', 'app'], { cwd: dir, env });
    expect(theirs.code, theirs.stderr).toBe(0);

    const inspect = async (image: string) => {
      const r = await dockerNext(['image', 'inspect', '-f', '{{json .Config}} {{json .RootFS.Layers}}', image]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const contents = async (image: string) => {
      const r = await dockerNext(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', SHOW]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const mineConfig = await inspect(`${project}-mine-app`);
    expect(mineConfig).toContain('"FROM_BASE=1"');
    expect(mineConfig).toBe(await inspect(`${project}-ref-app`));
    const shown = await contents(`${project}-mine-app`);
    expect(shown).toContain('/extra/sub/deep.txt');
    expect(shown).not.toContain('ignored.txt');
    expect(shown).toContain('/img-busybox');
    expect(shown).toBe(await contents(`${project}-ref-app`));
    const c = await dockerNext(['run', '--rm', '--network', 'none', `${project}-mine-app`, 'cat', '/c.txt', '/base.txt']);
    expect(c.stdout).toBe('from the context named context\nthe base\n');
  }, 240_000);

  it('a service: reference to an undefined service, and a URL, are refused naming the service and key', async () => {
    const bad = await projectDir({
      'Dockerfile': 'FROM busybox:local\n',
      'compose.yaml': 'services:\n  a:\n    build:\n      context: .\n      additional_contexts:\n        x: service:nope\n',
      'url.yaml': 'services:\n  a:\n    build:\n      context: .\n      additional_contexts:\n        x: https://example.invalid/ctx.git\n',
    });
    try {
      const r = await berth(['-p', project, 'build'], { cwd: bad, env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('service "a": build.additional_contexts.x refers to undefined service nope');
      const u = await berth(['-p', project, '-f', 'url.yaml', 'build'], { cwd: bad, env });
      expect(u.code).not.toBe(0);
      expect(u.stderr).toContain('service "a": build.additional_contexts.x https://example.invalid/ctx.git is a URL');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  }, 120_000);
});

describeSecondEngine('BuildKit 0.13 with the containerd image store (Docker 26): registry cache export and import', () => {
  // a /30 of our own between the two namespaces; the registry listens on the first engine's end
  const net = `10.219.${randomInt(0, 64) * 4}`;
  const registry = `${net}.1:5000`;
  const daemonConfig = { features: { 'containerd-snapshotter': true }, 'insecure-registries': [registry] };
  const first = new SecondEngine('b8g', { dockerd: ENGINE_NEXT_DOCKERD, daemonConfig });
  const second = new SecondEngine('b8g', { dockerd: ENGINE_NEXT_DOCKERD, daemonConfig });
  const project = uniqueProject('b8g');
  let registryPid: number | undefined;
  let dir = '';

  const compose = (image: string, cache: string) => `
services:
  app:
    image: ${image}
    build:
      context: .
      network: host
      cache_to: ["type=registry,ref=${registry}/${cache},mode=max"]
      cache_from: ["type=registry,ref=${registry}/${cache}"]
`;

  beforeAll(async () => {
    await Promise.all([first.start(), second.start()]);
    await Promise.all([first.loadBusybox(), second.loadBusybox()]);
    const [a, b] = [`b8g-${first.id}a`, `b8g-${second.id}b`];
    execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    execFileSync('ip', ['link', 'set', a, 'netns', first.netns]);
    execFileSync('ip', ['link', 'set', b, 'netns', second.netns]);
    execFileSync('ip', ['-n', first.netns, 'addr', 'add', `${net}.1/30`, 'dev', a]);
    execFileSync('ip', ['-n', second.netns, 'addr', 'add', `${net}.2/30`, 'dev', b]);
    execFileSync('ip', ['-n', first.netns, 'link', 'set', a, 'up']);
    execFileSync('ip', ['-n', second.netns, 'link', 'set', b, 'up']);
    const data = join(first.dir, 'registry');
    await mkdir(join(data, 'data'), { recursive: true });
    await writeFile(join(data, 'config.yml'), `version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: ${data}/data}\nhttp:\n  addr: ${registry}\n`);
    const child = spawn('nsenter', [`--net=/run/netns/${first.netns}`, '--', 'docker-registry', 'serve', join(data, 'config.yml')], { stdio: 'ignore', detached: true });
    child.unref();
    registryPid = child.pid;
    // up when the second namespace's side answers
    for (let i = 0; i < 100; i++) {
      const r = await run('ip', ['netns', 'exec', second.netns, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${registry}/v2/`]);
      if (r.stdout === '200') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    dir = await projectDir({
      Dockerfile: 'FROM busybox:local\nRUN echo "first step" > /one\nCOPY f.txt /f.txt\nRUN cat /f.txt /one > /two\nCMD ["cat", "/two"]\n',
      'f.txt': 'the file\n',
      'compose.yaml': compose(`${project}-mine`, `${project}/mine-cache:1`),
      'ref.yaml': compose(`${project}-ref`, `${project}/ref-cache:1`),
    });
  }, 240_000);
  afterAll(async () => {
    if (registryPid) {
      try {
        process.kill(registryPid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await Promise.all([first.stop(), second.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('berth and compose-ref: export to the registry on one engine, import on a clean one: the steps are CACHED', async () => {
    const on = (engine: SecondEngine) => ({ cwd: dir, env: { DOCKER_HOST: engine.host } });
    const mine = await berth(['-p', project, '--progress', 'plain', 'build'], on(first));
    expect(mine.code, mine.stderr + mine.stdout).toBe(0);
    expect(mine.stdout).toContain('exporting cache to registry');
    const theirs = await composeRef(['-p', project, '-f', 'ref.yaml', '--progress', 'plain', 'build'], on(first));
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(theirs.stdout + theirs.stderr).toContain('exporting cache to registry');
    // the image id berth reports is the engine's (the manifest's digest, in the containerd store)
    const id = await first.docker(['image', 'inspect', '-f', '{{.Id}}', `${project}-mine`]);
    expect(id.code, id.stderr).toBe(0);

    // the second engine has never built anything: every step comes from the imported cache
    expect((await second.docker(['builder', 'du'])).stdout).not.toMatch(/regular|source\.local/);
    const again = await berth(['-p', project, '--progress', 'plain', 'build'], on(second));
    expect(again.code, again.stderr + again.stdout).toBe(0);
    const theirsAgain = await composeRef(['-p', project, '-f', 'ref.yaml', '--progress', 'plain', 'build'], on(second));
    expect(theirsAgain.code, theirsAgain.stderr).toBe(0);
    for (const out of [again.stdout, theirsAgain.stdout + theirsAgain.stderr]) {
      expect(out).toContain('importing cache manifest from');
      expect(out).toMatch(/#(\d+) \[app 2\/4\] RUN echo "first step" > \/one\n#\1 CACHED/);
      expect(out).toMatch(/#(\d+) \[app 3\/4\] COPY f.txt \/f.txt\n#\1 CACHED/);
    }
    // nothing ran again: the layers are those the first engine made (a RUN run again makes a new layer)
    const config = async (engine: SecondEngine, image: string) => (await engine.docker(['image', 'inspect', '-f', '{{json .Config}} {{json .RootFS.Layers}}', image])).stdout.trim();
    expect(await config(second, `${project}-mine`)).toBe(await config(first, `${project}-mine`));
    expect(await config(second, `${project}-ref`)).toBe(await config(first, `${project}-ref`));
    expect(await config(second, `${project}-mine`)).toBe(await config(second, `${project}-ref`));
    const out = await second.docker(['run', '--rm', '--network', 'none', `${project}-mine`]);
    expect(out.stdout).toBe('the file\nfirst step\n');
  }, 300_000);
});
