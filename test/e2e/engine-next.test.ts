// The newer engine of the build tests that need BuildKit 0.13 (scripts/engine-next.sh): it starts privately
// through SecondEngine, answers with its own version, and runs the test image, so a failure of those tests
// is theirs and not the harness's.
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { createDockerEngine } from '../../src/engine/dockerode/index.js';
import { describeSecondEngine, ENGINE_NEXT_DOCKERD, SecondEngine } from '../helpers/second-engine.js';

describeSecondEngine('the newer test engine (Docker 26)', () => {
  const engine = new SecondEngine('b8n', { dockerd: ENGINE_NEXT_DOCKERD, daemonConfig: { features: { 'containerd-snapshotter': true } } });
  afterAll(() => engine.stop(), 60_000);

  it('is installed by the setup script, starts privately and runs busybox:local', async () => {
    expect(existsSync(ENGINE_NEXT_DOCKERD), `${ENGINE_NEXT_DOCKERD} (bash scripts/engine-next.sh)`).toBe(true);
    await engine.start();
    const v = await engine.docker(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^26\.\d+\.\d+\S* 1\.45$/);
    const info = await engine.docker(['info', '--format', '{{json .DriverStatus}}']);
    expect(info.stdout).toContain('io.containerd.snapshotter.v1');
    await engine.loadBusybox();
    const r = await engine.docker(['run', '--rm', '--network', 'none', 'busybox:local', 'echo', 'next']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('next');
  }, 180_000);

  // up takes a running service's image id from the container list (ops/observe.ts); the engine contract checks
  // the listing rule on engine 20.10, this on the containerd image store, where image ids are manifest digests
  it('lists a container by its image reference while that names its image, then by the image id', async () => {
    const docker = createDockerEngine({ host: engine.host });
    await docker.tagImage('busybox:local', 'b8n-listimg:1');
    const { id } = await docker.createContainer({ name: 'b8n-listimg', Image: 'b8n-listimg:1', Cmd: ['true'], Labels: { 'b8n.listimg': '1' }, HostConfig: { NetworkMode: 'none' } });
    const listed = async () => (await docker.listContainers({ labels: ['b8n.listimg'], all: true }))[0]!;
    const base = (await docker.inspectImage('b8n-listimg:1'))!.id;
    expect(await listed()).toMatchObject({ image: 'b8n-listimg:1', imageId: base });
    const { id: moved } = await docker.commitContainer(id, { reference: 'b8n-listimg:1' });
    expect(moved).not.toBe(base);
    expect(await listed()).toMatchObject({ image: base, imageId: base });
    await docker.removeContainer(id, { force: true });
    await docker.removeImage('b8n-listimg:1');
  }, 60_000);
});
