// The newer engine of the build tests that need BuildKit 0.13 (scripts/engine-next.sh): it starts privately
// through SecondEngine, answers with its own version, and runs the test image, so a failure of those tests
// is theirs and not the harness's.
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
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
});
