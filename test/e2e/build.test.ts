// Issue 6 acceptance, build: args, target and .dockerignore (an ignored secret is absent from the image, checked
// by running it); a 200 MB ignored node_modules is not sent (bytes counted on the way out); `up --build`
// rebuilds only what changed and recreates just those containers; a failing build names service and step,
// shows the step's output, exits non-zero and leaves the running containers alone.
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { TEST_IMAGE_LABEL, imageId, progressEvents, removeImages } from '../helpers/registry.js';

const compose = (project: string) => `
services:
  app:
    build:
      context: ./app
      args:
        - GREETING=hello-from-args
      target: prod
      labels:
        org.example.built-by: berth-e2e
        ${TEST_IMAGE_LABEL}: ${project}
    command: ["sh", "-c", "exec sleep 3600"]
    stop_grace_period: 1s
  other:
    build:
      context: ./other
      labels: ["${TEST_IMAGE_LABEL}=${project}"]
    command: ["sh", "-c", "exec sleep 3600"]
    stop_grace_period: 1s
`;

const appDockerfile = `FROM busybox:local AS base
ARG GREETING=unset
RUN echo "greeting=$GREETING" > /greeting

FROM base AS debug
RUN echo "debug stage: must not be built" > /debug

FROM base AS prod
COPY . /ctx
RUN echo "prod stage" > /stage
`;

describeEngine('berth build / up --build against the engine', () => {
  const project = uniqueProject('build');
  let dir = '';
  // the classic builder (issue 6); BuildKit, the default, is covered by build-buildkit.test.ts
  const p = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir, env: { DOCKER_BUILDKIT: '0' } });
  const containerId = async (service: string) => (await docker(['inspect', '-f', '{{.Id}}', `${project}-${service}-1`])).stdout.trim();
  // the classic builder keeps each successful step's image as cache; a failed build leaves the last one
  // untagged, as docker build does. The test removes the ones it made (without force: none in use).
  const dangling = async () => (await docker(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).stdout.split('\n').filter(Boolean);
  let danglingBefore = new Set<string>();

  beforeAll(async () => {
    danglingBefore = new Set(await dangling());
    dir = await projectDir({
      'compose.yaml': compose(project),
      'app/Dockerfile': appDockerfile,
      'app/.dockerignore': '# secrets and dependencies stay out of the context\nsecret.txt\nnode_modules\n*.log\n!keep.log\n',
      'app/secret.txt': 'TOP SECRET\n',
      'app/main.sh': 'echo main\n',
      'app/keep.log': 'kept by an exception\n',
      'app/drop.log': 'dropped\n',
      'app/sub/secret.txt': 'only the root secret.txt is ignored\n',
      'other/Dockerfile': 'FROM busybox:local\nCOPY version /version\n',
      'other/version': 'other v1\n',
    });
    // ~200 MB of sparse files: instant to make, 200 MB to read and send if the ignore rules were not applied first
    for (let i = 0; i < 4; i++) {
      const pkg = join(dir, 'app', 'node_modules', `pkg${i}`);
      await mkdir(pkg, { recursive: true });
      await writeFile(join(pkg, 'blob.bin'), '');
      await truncate(join(pkg, 'blob.bin'), 50 * 1024 * 1024);
    }
  });
  afterAll(async () => {
    await cleanup(project, dir);
    await removeImages(project);
    for (const id of await dangling()) if (!danglingBefore.has(id)) await docker(['rmi', id]);
  });

  it('builds with args and target, sends neither the ignored secret nor the 200 MB node_modules', async () => {
    const started = Date.now();
    const r = await p('--progress', 'json', 'build', 'app');
    expect(r.stderr).not.toMatch(/"state":"error"/);
    expect(r.code).toBe(0);
    const events = progressEvents(r.stderr).filter((e) => e.kind === 'service' && e.name === 'app');
    const sent = events.map((e) => /Sent build context to the engine: .* \((\d+) bytes/.exec(e.detail ?? '')).find(Boolean);
    expect(sent).toBeTruthy();
    const bytes = Number(sent![1]);
    // Dockerfile, .dockerignore, main.sh, keep.log, sub/ and sub/secret.txt: a few tar blocks
    expect(bytes).toBeLessThan(64 * 1024);
    process.stderr.write(`build context of a directory with a 200 MB ignored node_modules: ${bytes} bytes sent, build took ${Date.now() - started} ms\n`);
    expect(events.at(-1)?.status).toBe('Built');

    const image = `${project}-app`;
    const run = await docker(['run', '--rm', image, 'sh', '-c', 'cat /greeting /stage; ls -a /ctx /ctx/sub; test -e /debug && echo HAS-DEBUG; test -e /ctx/secret.txt && echo HAS-SECRET; test -e /ctx/node_modules && echo HAS-NODE-MODULES; true']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('greeting=hello-from-args');
    expect(run.stdout).toContain('prod stage');
    expect(run.stdout).toContain('main.sh');
    expect(run.stdout).toContain('keep.log');
    expect(run.stdout).not.toContain('drop.log');
    expect(run.stdout).not.toContain('HAS-SECRET');
    expect(run.stdout).not.toContain('HAS-NODE-MODULES');
    expect(run.stdout).not.toContain('HAS-DEBUG');
    // root-anchored: sub/secret.txt is not matched by "secret.txt"
    expect(run.stdout).toMatch(/\/ctx\/sub:[\s\S]*secret\.txt/);
    const labels = JSON.parse((await docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', image])).stdout) as Record<string, string>;
    expect(labels['org.example.built-by']).toBe('berth-e2e');
    expect(labels['com.docker.compose.image.builder']).toBe('classic');
  });

  it('build --build-arg overrides the file, -q prints nothing', async () => {
    const r = await p('build', '-q', '--build-arg', 'GREETING=from-cli', 'app');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const run = await docker(['run', '--rm', `${project}-app`, 'cat', '/greeting']);
    expect(run.stdout.trim()).toBe('greeting=from-cli');
  });

  it('up --build rebuilds only the service whose context changed and recreates only its container', async () => {
    // --build: the previous test left app built with another --build-arg
    const first = await p('up', '-d', '--build');
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const before = { app: await containerId('app'), other: await containerId('other'), appImage: await imageId(`${project}-app`), otherImage: await imageId(`${project}-other`) };

    // a changed context, but no --build: compose does not rebuild an image that exists
    await writeFile(join(dir, 'other', 'version'), 'other v2\n');
    expect((await p('up', '-d')).code).toBe(0);
    expect(await containerId('other')).toBe(before.other);

    const r = await p('--progress', 'plain', 'up', '-d', '--build');
    expect(r.code).toBe(0);
    expect(await imageId(`${project}-app`)).toBe(before.appImage);
    expect(await imageId(`${project}-other`)).not.toBe(before.otherImage);
    expect(await containerId('app')).toBe(before.app);
    expect(await containerId('other')).not.toBe(before.other);
    expect(r.stderr).toMatch(new RegExp(`Container ${project}-other-1\\s+Recreated`));
    expect(r.stderr).not.toMatch(new RegExp(`Container ${project}-app-1\\s+Recreat`));
    expect((await docker(['exec', `${project}-other-1`, 'cat', '/version'])).stdout).toBe('other v2\n');
  });

  it('a failing build names the service and step, shows its output, exits non-zero and leaves running containers alone', async () => {
    const before = { app: await containerId('app'), other: await containerId('other') };
    await writeFile(join(dir, 'other', 'Dockerfile'), 'FROM busybox:local\nCOPY version /version\nRUN echo "compiling the thing"; echo "error: the thing is broken" >&2; exit 3\n');
    const r = await p('--progress', 'quiet', 'up', '-d', '--build');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/service "other" failed to build at step 3\/\d \(RUN echo "compiling the thing".*\): The command .* returned a non-zero code: 3/);
    expect(r.stderr).toContain('compiling the thing');
    expect(r.stderr).toContain('error: the thing is broken');
    expect(await containerId('app')).toBe(before.app);
    expect(await containerId('other')).toBe(before.other);
    const states = await docker(['inspect', '-f', '{{.State.Status}}', `${project}-app-1`, `${project}-other-1`]);
    expect(states.stdout.trim().split('\n')).toEqual(['running', 'running']);
    // forcerm: the failed step's container is not left behind
    const leftover = await docker(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Command}}']);
    expect(leftover.stdout).not.toContain('compiling the thing');
  });

  it('--no-build with a missing image fails with a clear message', async () => {
    await docker(['rmi', '-f', `${project}-other`]);
    const r = await p('up', '-d', '--no-build', 'other');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`service "other": image ${project}-other is not present locally and it is not built and --no-build was given`);
  });
});
