// Issue 6 acceptance, pull: against a real registry (scripts/local-registry.sh), each pull_policy under `up`,
// the `pull` command's flags, per-layer progress, and credentials from the Docker CLI config: a good login
// works, bad or missing credentials give one line naming the registry.
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { berth, cleanup, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { AUTH_REGISTRY, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, describeRegistry, dockerConfig, exec, imageId, progressEvents, removeImages } from '../helpers/registry.js';

/** Build a local image FROM busybox:local whose /version says `text` (docker CLI, independent of berth). */
async function versionImage(tag: string, text: string): Promise<string> {
  const r = await exec('docker', ['build', '-q', '-t', tag, '-'], `FROM busybox:local\nRUN echo ${text} > /version\n`, { DOCKER_BUILDKIT: '0' });
  if (r.code !== 0) throw new Error(`docker build failed: ${r.stderr}`);
  return (await imageId(tag));
}

/** Put `local` in the registry as `ref`; afterwards the local `ref` is gone, or names `keepLocal` again. */
async function publish(local: string, ref: string, options: { config?: string; keepLocal?: string } = {}): Promise<void> {
  await docker(['tag', local, ref]);
  const r = await exec('docker', [...(options.config ? ['--config', options.config] : []), 'push', ref]);
  if (r.code !== 0) throw new Error(`docker push ${ref} failed: ${r.stderr}`);
  await docker(options.keepLocal ? ['tag', options.keepLocal, ref] : ['rmi', ref]);
}

describeRegistry('pull policies and pull against a real registry', () => {
  const project = uniqueProject('pull');
  const repo = (name: string) => `${REGISTRY}/${project}/${name}`;
  const sleep = ['sh', '-c', 'exec sleep 3600'];
  let dir = '';
  let v1 = '';
  let v2 = '';
  let goodConfig = '';
  const p = (args: string[], env: NodeJS.ProcessEnv = {}) => berth(['-p', project, ...args], { cwd: dir, env });
  const pulledRefs = (stderr: string) => progressEvents(stderr).filter((e) => e.kind === 'image' && e.status === 'Pulled').map((e) => e.name);
  const containerImage = async (service: string) => (await docker(['inspect', '-f', '{{.Image}}', `${project}-${service}-1`])).stdout.trim();

  beforeAll(async () => {
    v1 = await versionImage(`${project}-src:v1`, 'v1');
    v2 = await versionImage(`${project}-src:v2`, 'v2');
    goodConfig = await dockerConfig({ [AUTH_REGISTRY]: { user: REGISTRY_USER, password: REGISTRY_PASSWORD } });
    await Promise.all(
      ['missing', 'ifnp', 'always', 'never', 'daily', 'every', 'dep', 'flag'].map((n) => publish(`${project}-src:v1`, `${repo(n)}:1`)),
    );
    await publish(`${project}-src:v1`, `${AUTH_REGISTRY}/${project}/private:1`, { config: goodConfig });
    // an image whose own layer exists only in the registry, so that pulling it downloads a layer
    await versionImage(`${project}-src:v3`, 'v3');
    await publish(`${project}-src:v3`, `${repo('layers')}:1`);
    await docker(['rmi', `${project}-src:v3`]);
    const service = (image: string, extra = '') => `    image: ${image}\n    command: ${JSON.stringify(sleep)}\n    stop_grace_period: 1s\n${extra}`;
    dir = await projectDir({
      'compose.yaml': [
        'services:',
        `  missing:\n${service(`${repo('missing')}:1`)}`,
        `  ifnp:\n${service(`${repo('ifnp')}:1`, '    pull_policy: if_not_present\n')}`,
        `  always:\n${service(`${repo('always')}:1`, '    pull_policy: always\n')}`,
        `  never:\n${service(`${repo('never')}:1`, '    pull_policy: never\n')}`,
        `  daily:\n${service(`${repo('daily')}:1`, '    pull_policy: daily\n')}`,
        `  every:\n${service(`${repo('every')}:1`, '    pull_policy: every_4s\n')}`,
        `  built:\n${service(`${repo('built')}:1`, '    pull_policy: build\n    build:\n      dockerfile_inline: "FROM busybox:local\\nRUN echo built > /version\\n"\n')}`,
        `  dep:\n${service(`${repo('dep')}:1`)}`,
        `  withdep:\n${service(`${repo('flag')}:1`, '    depends_on: [dep]\n')}`,
        `  ghost:\n${service(`${repo('ghost')}:1`)}`,
        `  layers:\n${service(`${repo('layers')}:1`)}`,
        `  private:\n${service(`${AUTH_REGISTRY}/${project}/private:1`)}`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await cleanup(project, dir);
    await removeImages(project);
  });

  it('missing and if_not_present: pulled when absent (with per-layer progress), not again when present', async () => {
    const r = await p(['--progress', 'json', 'up', '-d', '--no-deps', 'missing', 'ifnp']);
    expect(r.code, r.stderr).toBe(0);
    expect(pulledRefs(r.stderr).sort()).toEqual([`${repo('ifnp')}:1`, `${repo('missing')}:1`]);
    expect(await containerImage('missing')).toBe(v1);

    // the registry moves on; the local copy stays v1
    await publish(`${project}-src:v2`, `${repo('missing')}:1`, { keepLocal: `${project}-src:v1` });
    const again = await p(['--progress', 'json', 'up', '-d', '--no-deps', 'missing', 'ifnp']);
    expect(again.code).toBe(0);
    expect(pulledRefs(again.stderr)).toEqual([]);
    expect(await containerImage('missing')).toBe(v1);
  });

  it('per-layer progress: each layer by id, from download to completion', async () => {
    const r = await p(['--progress', 'json', 'pull', 'layers']);
    expect(r.code, r.stderr).toBe(0);
    const layers = progressEvents(r.stderr).filter((e) => e.kind === 'image' && /^[0-9a-f]{12}$/.test(e.name));
    // busybox's layer is here already; the v3 layer is fetched
    expect(layers.filter((e) => e.state === 'done').map((e) => e.status).sort()).toEqual(['Already exists', 'Pull complete']);
    expect(new Set(layers.map((e) => e.name)).size).toBe(2);
  });

  it('always: pulls on every up and recreates the container when the registry has a new image', async () => {
    const r = await p(['--progress', 'json', 'up', '-d', 'always']);
    expect(r.code, r.stderr).toBe(0);
    expect(pulledRefs(r.stderr)).toEqual([`${repo('always')}:1`]);
    expect(await containerImage('always')).toBe(v1);
    await publish(`${project}-src:v2`, `${repo('always')}:1`, { keepLocal: `${project}-src:v1` });
    const again = await p(['--progress', 'plain', 'up', '-d', 'always']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`Container ${project}-always-1\\s+Recreated`));
    expect(await containerImage('always')).toBe(v2);
    expect((await docker(['exec', `${project}-always-1`, 'cat', '/version'])).stdout.trim()).toBe('v2');
  });

  it('never: a missing image fails without pulling; a present one is used', async () => {
    const r = await p(['up', '-d', 'never']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`service "never": image ${repo('never')}:1 is not present locally and pull_policy is never`);
    expect(await imageId(`${repo('never')}:1`)).toBe('');
    await docker(['tag', `${project}-src:v2`, `${repo('never')}:1`]);
    const ok = await p(['--progress', 'json', 'up', '-d', 'never']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(pulledRefs(ok.stderr)).toEqual([]);
    expect(await containerImage('never')).toBe(v2);
  });

  it('daily and every_<duration>: pulled when missing or older than the period, not in between', async () => {
    // the pull is recorded between firstStarted and firstEnded; only what that bounds is asserted, so a slow
    // machine cannot make the test flaky
    const firstStarted = Date.now();
    const first = await p(['--progress', 'json', 'up', '-d', 'daily', 'every']);
    const firstEnded = Date.now();
    expect(first.code, first.stderr).toBe(0);
    expect(pulledRefs(first.stderr).sort()).toEqual([`${repo('daily')}:1`, `${repo('every')}:1`]);
    const secondStarted = Date.now();
    const second = await p(['--progress', 'json', 'up', '-d', 'daily', 'every']);
    expect(second.code).toBe(0);
    if (secondStarted - firstStarted < 4000) expect(pulledRefs(second.stderr)).toEqual([]);
    else expect(pulledRefs(second.stderr)).not.toContain(`${repo('daily')}:1`);
    await new Promise((r) => setTimeout(r, Math.max(0, firstEnded + 4500 - Date.now())));
    const third = await p(['--progress', 'json', 'up', '-d', 'daily', 'every']);
    expect(third.code).toBe(0);
    expect(pulledRefs(third.stderr)).toEqual([`${repo('every')}:1`]);
  });

  it('build: the image is built on every up, never pulled', async () => {
    const r = await p(['--progress', 'json', 'up', '-d', 'built']);
    expect(r.code, r.stderr).toBe(0);
    expect(pulledRefs(r.stderr)).toEqual([]);
    expect(progressEvents(r.stderr).some((e) => e.kind === 'service' && e.name === 'built' && e.status === 'Built')).toBe(true);
    expect((await docker(['exec', `${project}-built-1`, 'cat', '/version'])).stdout.trim()).toBe('built');
  });

  it('up --pull always overrides the policy; --quiet-pull drops the layer lines', async () => {
    const r = await p(['--progress', 'json', 'up', '-d', '--no-deps', '--pull', 'always', '--quiet-pull', 'ifnp']);
    expect(r.code, r.stderr).toBe(0);
    expect(pulledRefs(r.stderr)).toEqual([`${repo('ifnp')}:1`]);
    expect(progressEvents(r.stderr).filter((e) => e.kind === 'image' && /^[0-9a-f]{12}$/.test(e.name))).toEqual([]);
    const bad = await p(['up', '-d', '--pull', 'sometimes', 'ifnp']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid --pull value "sometimes"/);
  });

  it('pull: named services only, --include-deps, --policy missing, failures and --ignore-pull-failures', async () => {
    const one = await p(['--progress', 'json', 'pull', 'withdep']);
    expect(one.code, one.stderr).toBe(0);
    expect(pulledRefs(one.stderr)).toEqual([`${repo('flag')}:1`]);
    const deps = await p(['--progress', 'json', 'pull', '--include-deps', 'withdep']);
    expect(pulledRefs(deps.stderr).sort()).toEqual([`${repo('dep')}:1`, `${repo('flag')}:1`]);
    const missing = await p(['--progress', 'json', 'pull', '--policy', 'missing', 'withdep']);
    expect(pulledRefs(missing.stderr)).toEqual([]);
    expect(progressEvents(missing.stderr).find((e) => e.name === 'withdep')?.detail).toBe('Image is already present locally');

    const fail = await p(['--progress', 'quiet', 'pull', 'ghost']);
    expect(fail.code).not.toBe(0);
    expect(fail.stderr.trim()).toMatch(new RegExp(`^service "ghost": pull ${repo('ghost')}:1 from registry ${REGISTRY} failed: .*(not found|unknown)`));
    const ignored = await p(['--progress', 'plain', 'pull', '--ignore-pull-failures', 'ghost', 'dep']);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/WARN.*service "ghost"/);
    const quiet = await p(['--progress', 'json', 'pull', '-q', 'dep']);
    expect(quiet.code).toBe(0);
    expect(progressEvents(quiet.stderr).filter((e) => /^[0-9a-f]{12}$/.test(e.name))).toEqual([]);
  });

  it('credentials from the Docker config: a good login pulls; bad or missing ones give one line naming the registry', async () => {
    const none = await dockerConfig({});
    const bad = await dockerConfig({ [AUTH_REGISTRY]: { user: REGISTRY_USER, password: 'wrong-password' } });
    const noCreds = await p(['--progress', 'quiet', 'pull', 'private'], { DOCKER_CONFIG: none });
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCreds.stderr).toContain(`registry ${AUTH_REGISTRY} refused to pull`);
    expect(noCreds.stderr).toContain(`no credentials for ${AUTH_REGISTRY}`);

    const wrong = await p(['--progress', 'quiet', 'pull', 'private'], { DOCKER_CONFIG: bad });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain(`registry ${AUTH_REGISTRY} refused to pull`);
    expect(wrong.stderr).toContain('were refused');

    const good = await p(['--progress', 'json', 'up', '-d', 'private'], { DOCKER_CONFIG: goodConfig });
    expect(good.code, good.stderr).toBe(0);
    expect(pulledRefs(good.stderr)).toEqual([`${AUTH_REGISTRY}/${project}/private:1`]);
    expect(await containerImage('private')).toBe(v1);
  });

  it('credentials from a credential helper (credsStore): the helper is asked for the registry, and its answer pulls', async () => {
    // a docker-credential-* program on PATH, as Docker Desktop's or pass's: it logs the address it is asked for
    const helperDir = await projectDir({
      'docker-credential-berthtest': [
        '#!/bin/sh',
        'read addr',
        'echo "$1 $addr" >> "$(dirname "$0")/asked.log"',
        `if [ "$addr" = "${AUTH_REGISTRY}" ]; then printf '{"ServerURL":"%s","Username":"${REGISTRY_USER}","Secret":"${REGISTRY_PASSWORD}"}' "$addr"; exit 0; fi`,
        'echo "credentials not found in native keychain"; exit 1',
        '',
      ].join('\n'),
      'config.json': JSON.stringify({ auths: { [AUTH_REGISTRY]: {} }, credsStore: 'berthtest' }),
    });
    onTestFinished(() => void exec('rm', ['-rf', helperDir]));
    await exec('chmod', ['+x', `${helperDir}/docker-credential-berthtest`]);
    await docker(['rmi', '-f', `${AUTH_REGISTRY}/${project}/private:1`]).catch(() => undefined);
    const env = { DOCKER_CONFIG: helperDir, PATH: `${helperDir}:${process.env.PATH}` };
    const r = await p(['--progress', 'json', 'pull', 'private'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(pulledRefs(r.stderr)).toEqual([`${AUTH_REGISTRY}/${project}/private:1`]);
    expect((await exec('cat', [`${helperDir}/asked.log`])).stdout.trim()).toBe(`get ${AUTH_REGISTRY}`);

    // the helper named but not installed: one line naming it and the registry
    const missing = await p(['--progress', 'quiet', 'pull', 'private'], { DOCKER_CONFIG: helperDir, PATH: '/usr/bin:/bin' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(`docker-credential-berthtest failed (get): not found on PATH for ${AUTH_REGISTRY}`);
  });
});
