// Issue 21 on the newer engine (Docker 26, BuildKit 0.13; scripts/engine-next.sh), where berth's control-API
// builds (POST /grpc, Control.Solve) carry what Docker 20.10's builder cannot do: additional_contexts (local
// directories served by the session, another service's image built first, docker-image:// references), each
// beside compose-ref building the same file against the same engine, images compared by config, layers and
// file contents. compose-ref 2.26.1 has no `service:` contexts; it gets the equivalent docker-image:// of
// the base image it built.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, composeRef, projectDir, uniqueProject } from '../helpers/e2e.js';
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
