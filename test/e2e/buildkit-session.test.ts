// Issue 21, the session services of a BuildKit build, each beside compose-ref building the same file:
// build secrets (readable in the step, absent from every layer and the history), ssh agent forwarding (an
// agent the test starts with a key it made, and key files berth serves itself), registry credentials for a
// FROM on the auth registry, and inline cache exported to a registry and imported by a clean builder (a
// second engine, since the shared engine's build cache must not be pruned).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, composeRef, describeEngine, docker, projectDir, run, uniqueProject } from '../helpers/e2e.js';
import { AUTH_REGISTRY, describeRegistry, dockerConfig, REGISTRY_PASSWORD, REGISTRY_USER } from '../helpers/registry.js';
import { SecondEngine, secondEngineMissing } from '../helpers/second-engine.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Every file of every layer of an image (docker save), as one buffer per layer. */
async function layerBytes(image: string): Promise<Buffer[]> {
  const dir = await mkdtemp(join(tmpdir(), 'save-'));
  try {
    const tar = join(dir, 'img.tar');
    const saved = await run('docker', ['save', '-o', tar, image]);
    expect(saved.code, saved.stderr).toBe(0);
    execFileSync('tar', ['-xf', tar, '-C', dir]);
    const out: Buffer[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name === 'layer.tar' || e.name.endsWith('.json')) out.push(await readFile(p));
      }
    };
    await walk(dir);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fileIn(image: string, path: string): Promise<string> {
  const r = await docker(['run', '--rm', image, 'cat', path]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function imageConfig(image: string): Promise<unknown> {
  const r = await docker(['image', 'inspect', '-f', '{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.WorkingDir}}', image]);
  return r.stdout.trim();
}

describeEngine('BuildKit session services (issue 21)', () => {
  const images: string[] = [];
  afterAll(async () => {
    if (images.length) await docker(['image', 'rm', '-f', ...images]);
  });

  it('build secrets: readable in the step (file and environment sources, ids as compose maps them), absent from every layer and the history', async () => {
    const project = uniqueProject('bksec');
    const fileCanary = `file-canary-${project}`;
    const envCanary = `env-canary-${project}`;
    const dir = await projectDir({
      'token.txt': fileCanary,
      Dockerfile: [
        'FROM busybox:local',
        // the step proves it read both values by writing their digests, never the values
        'RUN --mount=type=secret,id=tok --mount=type=secret,id=apikey sha256sum /run/secrets/tok /run/secrets/apikey | cut -d" " -f1 > /digests',
        'RUN --mount=type=secret,id=tok,target=/etc/custom,mode=0400 stat -c %a /etc/custom > /mode',
        'CMD ["cat", "/digests"]',
      ].join('\n'),
      'compose.yaml': `services:
  app:
    image: IMAGE
    build:
      context: .
      secrets: [tok, {source: key, target: apikey}]
secrets:
  tok: {file: ./token.txt}
  key: {environment: B21B_API_KEY}
`,
    });
    const env = { ...process.env, B21B_API_KEY: envCanary };
    const built: Record<string, string> = {};
    for (const [who, cli] of [['berth', berth], ['ref', composeRef]] as const) {
      const image = `${project}-${who}:1`;
      images.push(image);
      writeFileSync(join(dir, 'compose.yaml'), readFileSync(join(dir, 'compose.yaml'), 'utf8').replace(/image: .*/, `image: ${image}`));
      const r = await cli(['-p', project, '--progress', 'plain', 'build', '--no-cache'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(fileCanary);
      expect(r.stdout + r.stderr).not.toContain(envCanary);
      built[who] = image;
    }
    const digests = await fileIn(built.berth, '/digests');
    expect(digests.trim().split('\n')).toEqual([sha256(fileCanary), sha256(envCanary)]);
    expect(digests).toBe(await fileIn(built.ref, '/digests'));
    expect((await fileIn(built.berth, '/mode')).trim()).toBe('400');
    expect(await imageConfig(built.berth)).toEqual(await imageConfig(built.ref));

    const history = await docker(['history', '--no-trunc', built.berth]);
    expect(history.code).toBe(0);
    expect(history.stdout).not.toContain(fileCanary);
    expect(history.stdout).not.toContain(envCanary);
    const layers = await layerBytes(built.berth);
    expect(layers.length).toBeGreaterThan(2);
    for (const l of layers) {
      expect(l.includes(fileCanary)).toBe(false);
      expect(l.includes(envCanary)).toBe(false);
    }

    // the classic builder (DOCKER_BUILDKIT=0) has no secrets: refused before anything is built
    const classic = await berth(['-p', project, 'build'], { cwd: dir, env: { ...env, DOCKER_BUILDKIT: '0' } });
    expect(classic.code).not.toBe(0);
    expect(classic.stderr).toContain('service "app": build.secrets needs BuildKit');

    // an id the Dockerfile asks for and the compose file does not give: the step fails, as in compose
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox:local\nRUN --mount=type=secret,id=other,required cat /run/secrets/other\n');
    const missing = await berth(['-p', project, 'build'], { cwd: dir, env });
    const missingRef = await composeRef(['-p', project, 'build'], { cwd: dir, env });
    expect(missingRef.code).not.toBe(0);
    expect(missing.code).toBe(missingRef.code);
    expect(missing.stderr).toContain('secret other not found');
    await rm(dir, { recursive: true, force: true });
  });

  it('ssh: the step reaches an agent the test started (SSH_AUTH_SOCK) and one berth serves for a key file; it lists their keys', async () => {
    const project = uniqueProject('bkssh');
    const dir = await projectDir({
      Dockerfile: [
        'FROM busybox:local',
        // busybox has no ssh client: the host's ssh-add, run with its own loader and libraries from a bind mount
        'RUN --mount=type=ssh --mount=type=bind,source=tools,target=/tools /tools/ld.so --library-path /tools /tools/ssh-add -l > /agent-default',
        'RUN --mount=type=ssh,id=deploy --mount=type=bind,source=tools,target=/tools /tools/ld.so --library-path /tools /tools/ssh-add -l > /agent-deploy',
      ].join('\n'),
      'compose.yaml': `services:
  app:
    image: IMAGE
    build:
      context: .
      ssh: [default, deploy=./deploy_key]
`,
    });
    mkdirSync(join(dir, 'tools'));
    copyFileSync('/usr/bin/ssh-add', join(dir, 'tools', 'ssh-add'));
    for (const lib of execFileSync('ldd', ['/usr/bin/ssh-add']).toString().match(/\/\S+/g) ?? []) {
      // the program interpreter (ld-linux-<arch>.so.N) under one name whatever the architecture
      copyFileSync(lib, join(dir, 'tools', /\/ld-linux[^/]*$/.test(lib) ? 'ld.so' : lib.split('/').pop()!));
    }
    expect(existsSync(join(dir, 'tools', 'ld.so'))).toBe(true);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'agent-key', '-f', join(dir, 'agent_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy-key', '-f', join(dir, 'deploy_key')]);
    const fingerprint = (f: string) => execFileSync('ssh-keygen', ['-lf', f]).toString().split(' ')[1];
    const sock = join(dir, 'agent.sock');
    let agent: ChildProcess | undefined;
    try {
      agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
      execFileSync('ssh-add', ['-q', join(dir, 'agent_key')], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const env = { ...process.env, SSH_AUTH_SOCK: sock };
      const built: Record<string, string> = {};
      for (const [who, cli] of [['berth', berth], ['ref', composeRef]] as const) {
        const image = `${project}-${who}:1`;
        images.push(image);
        writeFileSync(join(dir, 'compose.yaml'), readFileSync(join(dir, 'compose.yaml'), 'utf8').replace(/image: .*/, `image: ${image}`));
        const r = await cli(['-p', project, '--progress', 'plain', 'build', '--no-cache'], { cwd: dir, env });
        expect(r.code, r.stderr).toBe(0);
        built[who] = image;
      }
      const listed = await fileIn(built.berth, '/agent-default');
      expect(listed).toContain(fingerprint(join(dir, 'agent_key.pub')));
      expect(await fileIn(built.berth, '/agent-deploy')).toContain(fingerprint(join(dir, 'deploy_key.pub')));
      expect(listed).toBe(await fileIn(built.ref, '/agent-default'));
      // `build --ssh default` alone (no build.ssh in the file) forwards the same agent
      writeFileSync(join(dir, 'compose.yaml'), `services:\n  app:\n    image: ${project}-cli:1\n    build: .\n`);
      images.push(`${project}-cli:1`);
      writeFileSync(join(dir, 'Dockerfile'), readFileSync(join(dir, 'Dockerfile'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
      const viaFlag = await berth(['-p', project, 'build', '--no-cache', '--ssh', 'default'], { cwd: dir, env });
      expect(viaFlag.code, viaFlag.stderr).toBe(0);
      expect(await fileIn(`${project}-cli:1`, '/agent-default')).toContain(fingerprint(join(dir, 'agent_key.pub')));
      // berth's own agent for the key file is gone after the build
      expect((await run('sh', ['-c', 'ls -d "${TMPDIR:-/tmp}"/berth-ssh-* 2>/dev/null | wc -l'])).stdout.trim()).toBe('0');

      // --ssh on the command line, no SSH_AUTH_SOCK: compose's error, before anything is built
      const noSock = { ...process.env, SSH_AUTH_SOCK: '' };
      const r = await berth(['-p', project, 'build', '--ssh', 'default'], { cwd: dir, env: noSock });
      const rRef = await composeRef(['-p', project, 'build', '--ssh', 'default'], { cwd: dir, env: noSock });
      expect(rRef.code).not.toBe(0);
      expect(r.code).toBe(rRef.code);
      expect(r.stderr).toContain('make sure SSH_AUTH_SOCK is set');
    } finally {
      agent?.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cache_to type=registry/local fail like compose (docker driver), naming the service and key', async () => {
    const project = uniqueProject('bkcto');
    const dir = await projectDir({ Dockerfile: 'FROM busybox:local\n', 'compose.yaml': `services:\n  app:\n    image: ${project}-app:1\n    build:\n      context: .\n      cache_to: ["type=registry,ref=127.0.0.1:5000/${project}/c:1"]\n` });
    try {
      const r = await berth(['-p', project, 'build'], { cwd: dir });
      const ref = await composeRef(['-p', project, 'build'], { cwd: dir });
      expect(ref.code).toBe(17);
      expect(r.code).toBe(ref.code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`service "app": build.cache_to type=registry,ref=127.0.0.1:5000/${project}/c:1: cache export is not supported for the docker driver`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeRegistry('BuildKit session: registry credentials (issue 21)', () => {
  const images: string[] = [];
  afterAll(async () => {
    if (images.length) await docker(['image', 'rm', '-f', ...images]);
  });

  it('registry auth: FROM an image on the htpasswd registry builds with the docker config credentials, fails without', async () => {
    const project = uniqueProject('bkauth');
    const config = await dockerConfig({ [AUTH_REGISTRY]: { user: REGISTRY_USER, password: REGISTRY_PASSWORD } });
    const base = `${AUTH_REGISTRY}/${project}/base:1`;
    const tag = await docker(['tag', 'busybox:local', base]);
    expect(tag.code).toBe(0);
    const pushed = await run('docker', ['--config', config, 'push', base]);
    expect(pushed.code, pushed.stderr).toBe(0);
    // only the registry has it now: the builder must pull it, with credentials
    await docker(['image', 'rm', base]);
    const image = `${project}-app:1`;
    images.push(image);
    const dir = await projectDir({
      Dockerfile: `FROM ${base}\nRUN echo ok > /ok\n`,
      'compose.yaml': `services:\n  app:\n    image: ${image}\n    build: .\n`,
    });
    try {
      const anon = await mkdtemp(join(tmpdir(), 'nocreds-'));
      const denied = await berth(['-p', project, 'build'], { cwd: dir, env: { ...process.env, DOCKER_CONFIG: anon } });
      const deniedRef = await composeRef(['-p', project, 'build'], { cwd: dir, env: { ...process.env, DOCKER_CONFIG: anon } });
      expect(deniedRef.code).not.toBe(0);
      expect(denied.code).toBe(deniedRef.code);
      const ok = await berth(['-p', project, '--progress', 'plain', 'build'], { cwd: dir, env: { ...process.env, DOCKER_CONFIG: config } });
      expect(ok.code, ok.stderr).toBe(0);
      expect((await fileIn(image, '/ok')).trim()).toBe('ok');
    } finally {
      await docker(['image', 'rm', '-f', base]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// the second engine, and the registry server of scripts/local-registry.sh (docker-registry) to run beside it
const secondMissing =
  secondEngineMissing() ?? (spawnSync('sh', ['-c', 'command -v docker-registry && command -v curl'], { stdio: 'ignore' }).status === 0 ? undefined : 'no docker-registry/curl');
(secondMissing && !process.env.CI ? describeEngine.skip : describeEngine)('inline cache through the registry, imported by a clean builder (second engine)', () => {
  const engine = new SecondEngine('b21b');
  let registry: ChildProcess | undefined;
  let regDir = '';
  beforeAll(async () => {
    await engine.start();
    await engine.loadBusybox();
    // the registry binary of scripts/local-registry.sh, inside the engine's netns: its 127.0.0.1:5000
    regDir = await mkdtemp(join(tmpdir(), 'b21b-reg-'));
    writeFileSync(join(regDir, 'config.yml'), `version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: ${regDir}/data}\nhttp:\n  addr: 127.0.0.1:5000\n`);
    registry = spawn('nsenter', [`--net=/run/netns/${engine.netns}`, '--', 'docker-registry', 'serve', join(regDir, 'config.yml')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await run('nsenter', [`--net=/run/netns/${engine.netns}`, '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:5000/v2/']);
      if (up.stdout === '200') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
  afterAll(async () => {
    registry?.kill();
    await engine.stop();
    if (regDir) await rm(regDir, { recursive: true, force: true });
  }, 60_000);

  it('berth and compose-ref: build with cache_to inline, push, prune the builder, rebuild with cache_from: the steps are CACHED', async () => {
    const project = uniqueProject('bkcache');
    const dir = await projectDir({
      Dockerfile: `FROM busybox:local\nRUN echo ${project} > /nonce && sleep 2\nRUN sha256sum /nonce > /sum && sleep 1\n`,
      'compose.yaml': 'placeholder',
    });
    const env = { ...process.env, DOCKER_HOST: engine.host };
    try {
      for (const [who, cli] of [['berth', berth], ['ref', composeRef]] as const) {
        const ref = `127.0.0.1:5000/${project}/${who}:1`;
        writeFileSync(
          join(dir, 'compose.yaml'),
          // network none: the second engine has no bridge for the steps (--bridge none)
          `services:\n  app:\n    image: ${ref}\n    build:\n      context: .\n      network: none\n      cache_from: ["type=registry,ref=${ref}"]\n      cache_to: ["type=inline"]\n`,
        );
        const first = await cli(['-p', project, '--progress', 'plain', 'build'], { cwd: dir, env });
        expect(first.code, first.stderr).toBe(0);
        const push = await cli(['-p', project, 'push'], { cwd: dir, env });
        expect(push.code, push.stderr).toBe(0);
        // a clean builder: no image, no build cache
        expect((await engine.docker(['image', 'rm', ref])).code).toBe(0);
        expect((await engine.docker(['builder', 'prune', '-af'])).code).toBe(0);
        const second = await cli(['-p', project, '--progress', 'plain', 'build'], { cwd: dir, env });
        expect(second.code, second.stderr).toBe(0);
        const out = second.stdout + second.stderr;
        expect(out, who).toMatch(/importing cache manifest from 127\.0\.0\.1:5000/);
        // both RUN steps come from the imported cache (the builder had nothing left of the first build)
        // (a step's lines need not be adjacent in the plain display: find its number, then its CACHED line)
        for (const step of ['2/3', '3/3']) {
          const n = new RegExp(`#(\\d+) \\[app ${step}\\] RUN`).exec(out)?.[1];
          expect(n, `${who}: ${out}`).toBeDefined();
          expect(out.split('\n'), `${who}: ${out}`).toContain(`#${n} CACHED`);
        }
        expect((await engine.docker(['run', '--rm', ref, 'cat', '/nonce'])).stdout.trim()).toBe(project);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
