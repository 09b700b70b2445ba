// Issue 21: `cache_to: type=local` / `cache_from: type=local`, the cache in a directory on the client's disk
// (an OCI layout) that the builder reads and writes through the session's content store. The engine 20.10
// of the main test engine cannot export such a cache, so the exports run on the newer private engine
// (Docker 26, BuildKit 0.13, scripts/engine-next.sh). One engine exports; a second one, whose builder is
// pruned before every import (no image, no build cache), imports: its RUN steps must come out CACHED and
// the image must hold the exporting build's random nonce. berth and compose-ref do the same, and each
// imports the other's cache directory. The main engine's own importer is tried last.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, composeRef, describeEngine, docker, projectDir, uniqueProject, type RunResult } from '../helpers/e2e.js';
import { describeSecondEngine, ENGINE_NEXT_DOCKERD, SecondEngine } from '../helpers/second-engine.js';

// each RUN writes something no rebuild can reproduce: equal content after an import means the step was taken
// from the cache; the 24 MB layer of random bytes crosses the session in several messages each way
const DOCKERFILE = `FROM busybox:local
RUN cat /proc/sys/kernel/random/uuid > /nonce
RUN head -c 24000000 /dev/urandom > /big && sha256sum /nonce /big > /sum
COPY a.txt /a.txt
`;

type Cli = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) => Promise<RunResult>;
const CLIS: Record<'berth' | 'ref', Cli> = { berth, ref: composeRef };

/** compose.yaml for one build: `network: host` because the private engines have no bridge (--bridge none). */
function composeFile(image: string, cache: { from?: string; to?: string }, dockerfile = 'Dockerfile'): string {
  const lines = ['services:', '  app:', `    image: ${image}`, '    build:', '      context: .', `      dockerfile: ${dockerfile}`, '      network: host'];
  if (cache.from) lines.push(`      cache_from: ["type=local,src=${cache.from}"]`);
  if (cache.to) lines.push(`      cache_to: ["type=local,dest=${cache.to},mode=max"]`);
  return `${lines.join('\n')}\n`;
}

/** The steps of the plain progress display that came from the cache, by their "[app n/m] RUN" names. */
function cachedRunSteps(out: string, instruction = 'RUN'): string[] {
  const cached: string[] = [];
  // a step's lines need not be adjacent in the plain display: its number, then its CACHED line
  for (const m of out.matchAll(new RegExp(`^#(\\d+) \\[app (\\d+/\\d+)\\] ${instruction} `, 'gm'))) {
    if (out.split('\n').includes(`#${m[1]} CACHED`)) cached.push(m[2]!);
  }
  return [...new Set(cached)].sort();
}

/** index.json of a local cache directory: one manifest tagged latest, whose blob is in the directory. */
function cacheManifest(dir: string): { digest: string; mediaType: string } {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  const latest = index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'latest');
  expect(latest, JSON.stringify(index)).toHaveLength(1);
  const m = latest[0]!;
  expect(existsSync(join(dir, 'blobs', ...m.digest.split(':'))), m.digest).toBe(true);
  // every blob the cache manifest (an image index or manifest) names is there
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs', ...m.digest.split(':')), 'utf8')) as { manifests?: { digest: string }[]; layers?: { digest: string }[]; config?: { digest: string } };
  const named = [...(manifest.manifests ?? []), ...(manifest.layers ?? []), ...(manifest.config ? [manifest.config] : [])];
  expect(named.length).toBeGreaterThan(0);
  for (const d of named) expect(existsSync(join(dir, 'blobs', ...d.digest.split(':'))), d.digest).toBe(true);
  expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  return m;
}

describeSecondEngine('type=local build caches (newer private engines, beside compose-ref)', () => {
  const config = { dockerd: ENGINE_NEXT_DOCKERD, daemonConfig: { features: { 'containerd-snapshotter': true } } };
  const exporter = new SecondEngine('b8c', config);
  const importer = new SecondEngine('b8c', config);
  const project = uniqueProject('b8c');
  let dir = '';
  const nonces: Record<string, string> = {};

  beforeAll(async () => {
    await Promise.all([exporter.start(), importer.start()]);
    await Promise.all([exporter.loadBusybox(), importer.loadBusybox()]);
    dir = await projectDir({ Dockerfile: DOCKERFILE, 'a.txt': 'a\n', 'compose.yaml': '' });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([exporter.stop(), importer.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  const build = async (who: 'berth' | 'ref', engine: SecondEngine, image: string, cache: { from?: string; to?: string }) => {
    writeFileSync(join(dir, 'compose.yaml'), composeFile(image, cache));
    const r = await CLIS[who](['-p', project, '--progress', 'plain', 'build'], { cwd: dir, env: { ...process.env, DOCKER_HOST: engine.host } });
    return { ...r, out: r.stdout + r.stderr };
  };
  const nonceIn = async (engine: SecondEngine, image: string) => {
    const r = await engine.docker(['run', '--rm', '--network', 'none', image, 'cat', '/nonce', '/sum']);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  /** The importing engine with nothing of an earlier build: no image, no build cache. */
  const cleanImporter = async (image: string) => {
    await importer.docker(['image', 'rm', '-f', image]);
    const prune = await importer.docker(['builder', 'prune', '-af']);
    expect(prune.code, prune.stderr).toBe(0);
  };

  for (const who of ['ref', 'berth'] as const) {
    it(`${who}: cache_to type=local writes an OCI layout cache; a clean engine importing it with cache_from type=local gets its RUN steps CACHED`, async () => {
      const cacheDir = join(dir, `cache-${who}`);
      const image = `${project}-${who}:1`;
      const exported = await build(who, exporter, image, { to: cacheDir });
      expect(exported.code, exported.out).toBe(0);
      expect(exported.out).toMatch(/exporting cache/);
      cacheManifest(cacheDir);
      nonces[who] = await nonceIn(exporter, image);
      expect(nonces[who]).toMatch(/^[0-9a-f-]{36}\n[0-9a-f]{64} {2}\/nonce\n[0-9a-f]{64} {2}\/big\n$/);

      await cleanImporter(image);
      const imported = await build(who, importer, image, { from: cacheDir });
      expect(imported.code, imported.out).toBe(0);
      expect(cachedRunSteps(imported.out), imported.out).toEqual(['2/4', '3/4']);
      expect(await nonceIn(importer, image)).toBe(nonces[who]);
    }, 240_000);
  }

  it("berth imports compose-ref's cache directory and compose-ref imports berth's", async () => {
    expect(Object.keys(nonces).sort(), 'the export tests ran first').toEqual(['berth', 'ref']);
    for (const [who, other] of [['berth', 'ref'], ['ref', 'berth']] as const) {
      const image = `${project}-cross-${who}:1`;
      await cleanImporter(image);
      const imported = await build(who, importer, image, { from: join(dir, `cache-${other}`) });
      expect(imported.code, imported.out).toBe(0);
      expect(cachedRunSteps(imported.out), `${who} from ${other}'s cache: ${imported.out}`).toEqual(['2/4', '3/4']);
      expect(await nonceIn(importer, image)).toBe(nonces[other]);
    }
  }, 240_000);

  it('one directory as both cache_from and cache_to (the usual CI set-up): the rebuild is CACHED and the index keeps one latest', async () => {
    for (const who of ['berth', 'ref'] as const) {
      const cacheDir = join(dir, `cache-rt-${who}`);
      const image = `${project}-rt-${who}:1`;
      await cleanImporter(image);
      const first = await build(who, importer, image, { from: cacheDir, to: cacheDir });
      expect(first.code, first.out).toBe(0);
      expect(cachedRunSteps(first.out), first.out).toEqual([]);
      const before = cacheManifest(cacheDir);
      const nonce = await nonceIn(importer, image);
      await cleanImporter(image);
      const second = await build(who, importer, image, { from: cacheDir, to: cacheDir });
      expect(second.code, second.out).toBe(0);
      expect(cachedRunSteps(second.out), `${who}: ${second.out}`).toEqual(['2/4', '3/4']);
      expect(await nonceIn(importer, image)).toBe(nonce);
      // the same cache again: the same manifest under latest, once
      expect(cacheManifest(cacheDir).digest).toBe(before.digest);
    }
  }, 240_000);

  // The main engine (20.10, BuildKit 0.8) exports no local cache but imports one through the session's
  // content store. Its FROM images differ from the private engines' (busybox:local loaded into a containerd
  // image store gets another manifest digest, hence other cache keys), so this Dockerfile starts FROM scratch:
  // its COPY steps have the same cache keys on both engines. The copied file is new to every run, so a
  // CACHED step on the shared engine (whose build cache is never pruned) can only come from the import.
  for (const who of ['berth', 'ref'] as const) {
    it(`${who}: the main engine (20.10) imports a type=local cache through the session: its COPY steps CACHED, the same layers`, async () => {
      writeFileSync(join(dir, 'scratch.txt'), `${project}-${who}-${Date.now()}\n`);
      writeFileSync(join(dir, 'Dockerfile.scratch'), 'FROM scratch\nCOPY scratch.txt /scratch.txt\nCOPY a.txt /a.txt\n');
      const cacheDir = join(dir, `cache-scratch-${who}`);
      const image = `${project}-main-${who}:1`;
      const run = async (engine: SecondEngine | undefined, cache: { from?: string; to?: string }) => {
        writeFileSync(join(dir, 'compose.yaml'), composeFile(image, cache, 'Dockerfile.scratch'));
        const r = await CLIS[who](['-p', project, '--progress', 'plain', 'build'], { cwd: dir, env: { ...process.env, ...(engine ? { DOCKER_HOST: engine.host } : {}) } });
        return { ...r, out: r.stdout + r.stderr };
      };
      const layers = async (inspect: Promise<RunResult>) => JSON.parse((await inspect).stdout) as string[];
      try {
        const exported = await run(exporter, { to: cacheDir });
        expect(exported.code, exported.out).toBe(0);
        cacheManifest(cacheDir);
        const imported = await run(undefined, { from: cacheDir });
        expect(imported.code, imported.out).toBe(0);
        expect(imported.out).toMatch(/importing cache manifest from local:/);
        expect(cachedRunSteps(imported.out, 'COPY'), imported.out).toEqual(['1/2', '2/2']);
        const inspect = ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', image];
        expect(await layers(docker(inspect))).toEqual(await layers(exporter.docker(inspect)));
      } finally {
        await docker(['image', 'rm', '-f', image]);
      }
    }, 240_000);
  }

  it('a cache_from directory with no cache is passed over: the build goes on and runs its steps', async () => {
    const image = `${project}-empty:1`;
    await cleanImporter(image);
    for (const who of ['ref', 'berth'] as const) {
      const r = await build(who, importer, image, { from: join(dir, 'no-such-cache') });
      expect(r.code, r.out).toBe(0);
      expect(cachedRunSteps(r.out), r.out).toEqual([]);
      // both say so (compose-ref in its client's log line, berth as a warning naming the service)
      expect(r.out).toMatch(/local cache import at \S*no-such-cache (not found|skipped)/);
      await cleanImporter(image);
    }
  }, 240_000);
});

describeEngine('type=local cache export on the main engine (20.10: no local exporter)', () => {
  it('berth refuses it before building, as compose-ref does (exit 17, one line naming the service and key), and makes no cache directory', async () => {
    const project = uniqueProject('b8cx');
    const dir = await projectDir({ Dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\n', 'a.txt': `${project}\n`, 'compose.yaml': composeFile(`${project}-app:1`, { to: './cache' }) });
    try {
      const ref = await composeRef(['-p', project, 'build'], { cwd: dir });
      expect(ref.code, ref.stderr).toBe(17);
      expect(ref.stderr).toContain('Cache export is not supported for the docker driver');
      const r = await berth(['-p', project, 'build'], { cwd: dir });
      expect(r.code, r.stderr).toBe(ref.code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('service "app": build.cache_to type=local,dest=./cache,mode=max: cache export is not supported for the docker driver');
      expect(existsSync(join(dir, 'cache'))).toBe(false);
    } finally {
      await docker(['image', 'rm', '-f', `${project}-app:1`]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
