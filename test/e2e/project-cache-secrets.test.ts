// Issue 14, defect 4: the project cache holds no value in clear. A canary in .env, in an env_file and in the
// OS environment goes through up, ps and down; no file under the cache directory holds its bytes (nor its
// base64), and down leaves no entry of the project behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, projectDir, uniqueProject } from '../helpers/e2e.js';

const CANARY = `canary-${Date.now().toString(36)}-cache`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

function assertNoCanary(dir: string): void {
  for (const f of filesUnder(dir)) {
    const bytes = readFileSync(f);
    expect(bytes.includes(CANARY), f).toBe(false);
    expect(bytes.includes(Buffer.from(CANARY).toString('base64').slice(0, 20)), f).toBe(false);
  }
}

describeEngine('the project cache and secrets', () => {
  const made: { project: string; dir: string }[] = [];
  afterAll(async () => {
    await Promise.all(made.map((m) => cleanup(m.project, m.dir)));
  });

  it('up, ps, down: no canary value in any cache file; the entry is gone after down', async () => {
    const project = uniqueProject('pcache');
    const dir = await projectDir({
      'compose.yaml': 'services:\n  a:\n    image: busybox:local\n    command: sleep 300\n    environment:\n      FROM_DOTENV: ${SECRET_DOTENV}\n      FROM_OS: ${SECRET_OS}\n    env_file: [a.env]\n',
      '.env': `SECRET_DOTENV=${CANARY}-dotenv\n`,
      'a.env': `FROM_ENV_FILE=${CANARY}-envfile\n`,
    });
    made.push({ project, dir });
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'berth-e2e-cache-')), 'berth');
    const env = { BERTH_CACHE_DIR: cacheDir, BERTH_PROJECT_CACHE: '1', SECRET_OS: `${CANARY}-os` };
    const entries = () => readdirSync(cacheDir).filter((n) => n.startsWith('project-'));

    expect((await berth(['-p', project, 'up', '-d'], { cwd: dir, env })).code).toBe(0);
    // the value did reach the container: the canary is real
    expect((await docker(['exec', `${project}-a-1`, 'sh', '-c', 'echo $FROM_DOTENV'])).stdout.trim()).toBe(`${CANARY}-dotenv`);
    expect(entries()).toHaveLength(1);
    assertNoCanary(cacheDir);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const e of entries()) expect(statSync(join(cacheDir, e)).mode & 0o777).toBe(0o600);

    // a no-op up and a ps are answered from the entry: still nothing in clear
    expect((await berth(['-p', project, 'up', '-d'], { cwd: dir, env })).code).toBe(0);
    const ps = await berth(['-p', project, 'ps', '--format', 'json'], { cwd: dir, env });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toContain(`${project}-a-1`);
    assertNoCanary(cacheDir);

    const down = await berth(['-p', project, 'down', '-t', '0'], { cwd: dir, env });
    expect(down.code, down.stderr).toBe(0);
    expect(entries()).toEqual([]);
    assertNoCanary(cacheDir);
  });

  it('--dry-run writes no entry and forgets none: up and down under --dry-run leave the cache as it was', async () => {
    const project = uniqueProject('pcache-dry');
    const dir = await projectDir({ 'compose.yaml': 'services:\n  a:\n    image: busybox:local\n    command: sleep 300\n' });
    made.push({ project, dir });
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'berth-e2e-cache-')), 'berth');
    const env = { BERTH_CACHE_DIR: cacheDir, BERTH_PROJECT_CACHE: '1' };
    const entries = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((n) => n.startsWith('project-')) : []);

    const dry = await berth(['-p', project, '--dry-run', 'up', '-d'], { cwd: dir, env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(entries()).toEqual([]);

    expect((await berth(['-p', project, 'up', '-d'], { cwd: dir, env })).code).toBe(0);
    const stored = entries();
    expect(stored).toHaveLength(1);
    const dryDown = await berth(['-p', project, '--dry-run', 'down'], { cwd: dir, env });
    expect(dryDown.code, dryDown.stderr).toBe(0);
    expect(entries()).toEqual(stored);
    expect((await docker(['inspect', '-f', '{{.State.Running}}', `${project}-a-1`])).stdout.trim()).toBe('true');

    expect((await berth(['-p', project, 'down', '-t', '0'], { cwd: dir, env })).code).toBe(0);
    expect(entries()).toEqual([]);
  });
});
