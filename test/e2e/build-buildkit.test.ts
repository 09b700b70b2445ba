// Issue 21 (core): BuildKit builds through berth's own session (no buildx), each beside compose-ref building
// the same file, images compared by config and file contents: a cache mount reused across builds (and shared
// with compose-ref's builds of the same cache id), multi-stage with target, dockerfile_inline,
// additional_contexts (refused by both on this engine, whose Dockerfile frontend lacks named contexts), an
// ignored 200 MB directory never listed nor sent, and a second build after a one-file change that moves only
// that file's bytes (counted on berth's side of the file sync stream).
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from '../../src/api/index.js';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { removeImages } from '../helpers/registry.js';

const dockerfiles = (cacheId: string): Record<string, string> => ({
  'cachemount/Dockerfile': `FROM busybox:local
ARG RUN_ID
RUN --mount=type=cache,target=/cache,id=${cacheId} ls /cache > /seen && echo "run $RUN_ID" > /cache/run-$RUN_ID
`,
  'multi/Dockerfile': `FROM busybox:local AS base
ARG GREETING=unset
RUN echo "greeting=$GREETING" > /greeting
ENV STAGE_BASE=1
WORKDIR /srv

FROM base AS debug
RUN echo "debug stage: must not be built" > /debug

FROM base AS prod
COPY app.txt /srv/app.txt
RUN echo "prod stage" > /stage
CMD ["sh", "-c", "cat /srv/app.txt"]
`,
  'multi/app.txt': 'the app\n',
  'big/Dockerfile': 'FROM busybox:local\nCOPY . /ctx\n',
  'big/.dockerignore': 'node_modules\n',
  'big/main.sh': 'echo main\n',
  'extra/x.txt': 'from the extra context\n',
  'ac/Dockerfile': 'FROM busybox:local\nCOPY --from=extra x.txt /x.txt\n',
});

const composeFile = `
services:
  cachemount:
    build:
      context: ./cachemount
      args: { RUN_ID: "\${RUN_ID:-0}" }
  multi:
    build:
      context: ./multi
      target: prod
      args: [GREETING=hello-from-args]
      labels: { org.example.built-by: e2e }
  inline:
    build:
      context: ./multi
      dockerfile_inline: |
        FROM busybox:local
        COPY app.txt /inline-app.txt
        LABEL from.inline=yes
  big:
    build: ./big
`;

const additional = `
services:
  ac:
    build:
      context: ./ac
      additional_contexts:
        extra: ./extra
`;

/** The image's config as compose-ref and berth should both produce it (the project label aside). */
async function imageConfig(ref: string): Promise<Record<string, unknown>> {
  const c = JSON.parse((await docker(['image', 'inspect', '-f', '{{json .Config}}', ref])).stdout) as Record<string, any>;
  const labels = { ...(c.Labels ?? {}) };
  delete labels['com.docker.compose.project'];
  return { Cmd: c.Cmd, Entrypoint: c.Entrypoint, Env: c.Env, WorkingDir: c.WorkingDir, User: c.User, Labels: labels };
}

const inImage = async (image: string, script: string) => {
  const r = await docker(['run', '--rm', image, 'sh', '-c', script]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/** "#5 transferring context: 226B done" (compose sometimes adds the time: "226B 0.0s done") of a service's "load build context" step, in bytes. */
function contextTransferred(out: string, service: string): number {
  const step = new RegExp(`^#(\\d+) \\[${service} internal\\] load build context$`, 'm').exec(out);
  expect(step, out).toBeTruthy();
  const m = new RegExp(`^#${step![1]} transferring context: ([\\d.]+)(B|kB|MB|GB)(?: [\\d.]+s)? done$`, 'm').exec(out);
  expect(m, out).toBeTruthy();
  return Number(m![1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m![2] as 'B'];
}

describeEngine('BuildKit builds from Node, beside compose-ref', () => {
  const project = uniqueProject('bk');
  const refProject = uniqueProject('bkref');
  let dir = '';
  const p = (args: string[], env: NodeJS.ProcessEnv = {}) => berth(['-p', project, ...args], { cwd: dir, env });
  const ref = (args: string[], env: NodeJS.ProcessEnv = {}) => composeRef(['-p', refProject, ...args], { cwd: dir, env });

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': composeFile, 'additional.yaml': additional, ...dockerfiles(`${project}-cache`) });
    // ~200 MB of sparse files: instant to make, 200 MB to read and send if the ignore rules were not applied first
    for (let i = 0; i < 4; i++) {
      const pkg = join(dir, 'big', 'node_modules', `pkg${i}`);
      await mkdir(pkg, { recursive: true });
      await writeFile(join(pkg, 'blob.bin'), '');
      await truncate(join(pkg, 'blob.bin'), 50 * 1024 * 1024);
    }
  });
  afterAll(async () => {
    await cleanup(project, dir);
    await cleanup(refProject);
    await removeImages(project);
    await removeImages(refProject);
  });

  it('a cache mount is reused across builds, and shared with compose-ref building the same file', async () => {
    const first = await p(['--progress', 'plain', 'build', 'cachemount'], { RUN_ID: '1' });
    expect(first.code, first.stderr).toBe(0);
    expect(await inImage(`${project}-cachemount`, 'cat /seen')).toBe('');
    const second = await p(['--progress', 'plain', 'build', 'cachemount'], { RUN_ID: '2' });
    expect(second.code, second.stderr).toBe(0);
    // the second build's RUN found the first one's file in the cache
    expect(await inImage(`${project}-cachemount`, 'cat /seen')).toBe('run-1\n');
    // compose-ref's build of the same file uses the same cache, and berth's next build sees what it left
    const viaRef = await ref(['--progress', 'plain', 'build', 'cachemount'], { RUN_ID: '3' });
    expect(viaRef.code, viaRef.stderr).toBe(0);
    expect(await inImage(`${refProject}-cachemount`, 'cat /seen')).toBe('run-1\nrun-2\n');
    const third = await p(['--progress', 'plain', 'build', 'cachemount'], { RUN_ID: '4' });
    expect(third.code, third.stderr).toBe(0);
    expect(await inImage(`${project}-cachemount`, 'cat /seen')).toBe('run-1\nrun-2\nrun-3\n');
    expect(await imageConfig(`${project}-cachemount`)).toEqual(await imageConfig(`${refProject}-cachemount`));
  });

  it('multi-stage with target, and dockerfile_inline: same images as compose-ref, plain progress as compose prints it', async () => {
    const mine = await p(['--progress', 'plain', 'build', 'multi', 'inline']);
    expect(mine.code, mine.stderr).toBe(0);
    const theirs = await ref(['--progress', 'plain', 'build', 'multi', 'inline']);
    expect(theirs.code, theirs.stderr).toBe(0);
    const script = 'cat /greeting /stage /srv/app.txt; pwd; test -e /debug && echo HAS-DEBUG; true';
    const files = await inImage(`${project}-multi`, script);
    expect(files).toBe('greeting=hello-from-args\nprod stage\nthe app\n/srv\n');
    expect(files).toBe(await inImage(`${refProject}-multi`, script));
    expect(await imageConfig(`${project}-multi`)).toEqual(await imageConfig(`${refProject}-multi`));
    expect(await inImage(`${project}-inline`, 'cat /inline-app.txt')).toBe('the app\n');
    expect(await imageConfig(`${project}-inline`)).toEqual(await imageConfig(`${refProject}-inline`));

    // compose's plain lines: the steps of the chosen stages, named with the service, with timings
    // compose prints BuildKit's progress on standard output
    for (const out of [mine.stdout, theirs.stdout]) {
      expect(out).toContain('#0 building with "default" instance using docker driver');
      expect(out).toMatch(/^#\d+ \[multi prod 1\/2\] COPY app\.txt \/srv\/app\.txt$/m);
      // the engine runs a FROM step shared by concurrent builds once, named as the first build that asked
      // for it named it (another service's, even another client's stage), so its stage and position vary
      expect(out).toMatch(/^#\d+ \[(multi|inline)( \S+)? 1\/\d\] FROM docker\.io\/library\/busybox:local$/m);
      expect(out).toMatch(/^#\d+ (DONE \d+\.\ds|CACHED)$/m);
      expect(out).not.toContain('debug stage');
    }
    // the same RUN and COPY steps for both
    const steps = (out: string) => [...out.matchAll(/^#\d+ (\[(?:multi|inline)[^\]]*\] (?:RUN|COPY) .*)$/gm)].map((m) => m[1]).sort();
    expect(steps(mine.stdout)).toEqual(steps(theirs.stdout));
  });

  it('up --build builds through the same path and recreates the container when the image changed', async () => {
    const first = await p(['--progress', 'plain', 'up', '-d', '--build', 'multi']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^#\d+ \[multi prod 2\/2\] RUN echo "prod stage" > \/stage$/m);
    const container = `${project}-multi-1`;
    const before = (await docker(['inspect', '-f', '{{.Image}}', container])).stdout.trim();
    await writeFile(join(dir, 'multi', 'app.txt'), 'the app, v2\n');
    const second = await p(['--progress', 'plain', 'up', '-d', '--build', 'multi']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`Container ${container}\\s+Recreated`));
    const after = (await docker(['inspect', '-f', '{{.Image}}', container])).stdout.trim();
    expect(after).not.toBe(before);
    expect((await docker(['logs', container])).stdout).toBe('the app, v2\n');
    await writeFile(join(dir, 'multi', 'app.txt'), 'the app\n');
  });

  it('an ignored 200 MB directory is never listed nor sent; a one-file change moves only that file', async () => {
    const mine = await p(['--progress', 'plain', 'build', 'big']);
    expect(mine.code, mine.stderr).toBe(0);
    const theirs = await ref(['--progress', 'plain', 'build', 'big']);
    expect(theirs.code, theirs.stderr).toBe(0);
    // the engine's own count of what it received, as both print it
    expect(contextTransferred(mine.stdout, 'big')).toBeLessThan(64 * 1024);
    expect(contextTransferred(theirs.stdout, 'big')).toBeLessThan(64 * 1024);
    const listing = 'ls -a /ctx';
    expect(await inImage(`${project}-big`, listing)).toBe(await inImage(`${refProject}-big`, listing));

    // in process, to see berth's side of the stream: what was listed and what was read
    for (let i = 0; i < 20; i++) await writeFile(join(dir, 'big', `file${String(i).padStart(2, '0')}.txt`), `${i}`.repeat(8 * 1024));
    const opts = { project: { cwd: dir, projectName: project }, services: ['big'], builder: 'buildkit' as const };
    const [cold] = await build(opts);
    const coldContext = cold!.transfers!.filter((t) => t.dir === 'context');
    const listed = coldContext.flatMap((t) => t.listed);
    expect(listed).toContain('file07.txt');
    expect(listed.filter((l) => l.startsWith('node_modules'))).toEqual([]);
    // the new files are read in full once (a few earlier files may already be known to the builder)
    expect(coldContext.flatMap((t) => t.read)).toEqual(expect.arrayContaining(['file00.txt', 'file19.txt']));
    expect(cold!.contextBytes).toBeGreaterThanOrEqual(20 * 8 * 1024);
    expect(cold!.contextBytes).toBeLessThan(64 * 1024 * 4);

    await writeFile(join(dir, 'big', 'file07.txt'), 'changed!'.repeat(1000));
    const [warm] = await build(opts);
    const warmContext = warm!.transfers!.filter((t) => t.dir === 'context');
    expect(warmContext.flatMap((t) => t.read)).toEqual(['file07.txt']);
    expect(warm!.contextBytes).toBe(8000);
    expect(await inImage(`${project}-big`, 'cat /ctx/file07.txt | wc -c; cat /ctx/file08.txt | wc -c')).toBe('8000\n8192\n');
  });

  it('additional_contexts: a clear error naming the service and key; compose-ref fails on this engine too', async () => {
    const mine = await p(['-f', 'additional.yaml', 'build']);
    expect(mine.code).not.toBe(0);
    expect(mine.stderr).toContain('service "ac": build.additional_contexts needs named build contexts');
    const theirs = await ref(['-f', 'additional.yaml', 'build']);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('moby.buildkit.frontend.contexts');
    expect((await docker(['images', '-q', `${project}-ac`])).stdout.trim()).toBe('');
  });

  it('a failing step names the service and step with its output; DOCKER_BUILDKIT=0 still builds with the classic builder', async () => {
    await writeFile(join(dir, 'cachemount', 'Dockerfile.bad'), 'FROM busybox:local\nRUN echo "compiling the thing"; echo "error: the thing is broken" >&2; exit 3\n');
    await writeFile(join(dir, 'bad.yaml'), 'services:\n  bad:\n    build:\n      context: ./cachemount\n      dockerfile: Dockerfile.bad\n');
    const r = await p(['-f', 'bad.yaml', '--progress', 'quiet', 'build']);
    expect(r.code).toBe(17);
    expect(r.stderr).toMatch(/service "bad" failed to build at step \[bad 2\/2\] RUN echo "compiling the thing".*: .*exit code: 3/);
    expect(r.stderr).toContain('compiling the thing');
    expect(r.stderr).toContain('error: the thing is broken');
    const theirs = await ref(['-f', 'bad.yaml', '--progress', 'quiet', 'build']);
    expect(theirs.code).toBe(r.code);

    const classic = await p(['--progress', 'plain', 'build', 'multi'], { DOCKER_BUILDKIT: '0' });
    expect(classic.code, classic.stderr).toBe(0);
    expect(classic.stderr).toContain('Sent build context to the engine');
    const labels = JSON.parse((await docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', `${project}-multi`])).stdout) as Record<string, string>;
    expect(labels['com.docker.compose.image.builder']).toBe('classic');
  });
});
