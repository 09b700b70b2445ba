import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { berth, berthBin, projectDir, repoRoot, run } from '../helpers/e2e.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('berth CLI basics', () => {
  it('--version prints the version', async () => {
    const r = await berth(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`berth version ${version}`);
  });

  it('version --short and --format json', async () => {
    expect((await berth(['version', '--short'])).stdout.trim()).toBe(version);
    expect(JSON.parse((await berth(['version', '--format', 'json'])).stdout)).toEqual({ version });
  });

  it('--help lists the commands and the global flags as docker compose spells them', async () => {
    const r = await berth(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['up', 'down', 'ps', 'config', '--file', '--project-name', '--project-directory', '--env-file', '--profile', '--progress', '--ansi', '--parallel', '--dry-run']) {
      expect(r.stdout).toContain(s);
    }
  });

  it('up --help lists compose flags', async () => {
    const r = await berth(['up', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['-d, --detach', '--wait', '--wait-timeout', '--force-recreate', '--no-recreate', '--no-deps', '--no-start', '--remove-orphans', '-t, --timeout']) {
      expect(r.stdout).toContain(s);
    }
  });

  it('an unknown flag is a usage error, worded and exiting as compose (pflag: exit 16)', async () => {
    const r = await berth(['up', '--bogus']);
    expect(r.code).toBe(16);
    expect(r.stderr).toBe('unknown flag: --bogus\n');
  });

  it('--env-file reaches berth when run as a command (Node 20 would take it for itself)', async () => {
    const dir = await projectDir({ 'compose.yaml': 'services:\n  a:\n    image: "busybox:${T}"\n', 'my.env': 'T=from-env-file\n' });
    const r = await run(berthBin, ['--env-file', 'my.env', 'config', '--images'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('busybox:from-env-file\n');
  });
});
