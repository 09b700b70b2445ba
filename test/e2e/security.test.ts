// Security (issue 14): a canary secret through every command — no secret value in any output except where
// compose prints it too (config prints environment values), and in no file berth writes; only objects labelled
// as the project are touched (unlabelled look-alikes survive `down -v --remove-orphans`); files berth writes
// have the narrowest mode.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject, type RunResult } from '../helpers/e2e.js';

const canary = (what: string) => `canary-${what}-${randomBytes(12).toString('hex')}`;
const C = {
  secretFile: canary('secretfile'),
  secretEnv: canary('secretenv'),
  environment: canary('environment'),
  dotenv: canary('dotenv'),
};
const ALL = Object.values(C);
const found = (text: string) => ALL.filter((c) => text.includes(c)).map((c) => c.split('-')[1]);

const compose = `services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    environment:
      LITERAL: "${C.environment}"
      FROM_DOTENV: "\${DOTENV_TOKEN}"
    secrets: [from_file, from_env]
secrets:
  from_file:
    file: ./secret.txt
  from_env:
    environment: SECRET_TOKEN
`;

/** Every file under a directory, with its mode (directories too); missing directory: none. */
async function walk(dir: string): Promise<{ path: string; mode: number; dir: boolean }[]> {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    const s = await stat(p);
    out.push({ path: p, mode: s.mode & 0o7777, dir: e.isDirectory() });
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

async function canariesIn(files: { path: string; dir: boolean }[]): Promise<{ path: string; canaries: string[] }[]> {
  const hits: { path: string; canaries: string[] }[] = [];
  for (const f of files) {
    if (f.dir) continue;
    const text = await readFile(f.path, 'latin1').catch(() => '');
    const c = found(text);
    if (c.length) hits.push({ path: f.path, canaries: c });
  }
  return hits;
}

describeEngine('no secret leaks, only labelled objects touched, narrow file modes', () => {
  const ours = uniqueProject('canary');
  const theirs = uniqueProject('canary-ref');
  let dir = '';
  let home = '';
  let locks = '';
  let tmp = '';
  const started = Date.now();
  const outputs: { cmd: string; berth: RunResult; compose: RunResult }[] = [];
  const ghosts = { container: `${ours}-ghost-1`, network: `${ours}_ghostnet`, volume: `${ours}_ghostvol` };

  // berth gets a HOME, lock dir and TMPDIR of its own, and no BERTH_CACHE_DIR: the project cache then goes to
  // $HOME/.cache/berth, where a user's would
  const env = (): NodeJS.ProcessEnv => ({ HOME: home, BERTH_CACHE_DIR: '', XDG_CACHE_HOME: '', BERTH_LOCK_DIR: locks, TMPDIR: tmp, SECRET_TOKEN: C.secretEnv });
  const both = async (label: string, args: string[]) => {
    const [b, c] = await Promise.all([berth(['-p', ours, ...args], { cwd: dir, env: env() }), composeRef(['-p', theirs, ...args], { cwd: dir, env: env() })]);
    outputs.push({ cmd: label, berth: b, compose: c });
    return { b, c };
  };

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose, 'secret.txt': C.secretFile, '.env': `DOTENV_TOKEN=${C.dotenv}\n` });
    home = join(dir, 'home');
    locks = join(dir, 'home', 'locks');
    tmp = join(dir, 'home', 'tmp');
    await mkdir(tmp, { recursive: true });
    expect((await docker(['run', '-d', '--init', '--name', ghosts.container, 'busybox:local', 'sleep', '3600'])).code).toBe(0);
    expect((await docker(['network', 'create', ghosts.network])).code).toBe(0);
    expect((await docker(['volume', 'create', ghosts.volume])).code).toBe(0);

    await both('config', ['config']);
    await both('--dry-run up -d', ['--dry-run', 'up', '-d']);
    await both('up -d', ['up', '-d']);
    await both('ps', ['ps']);
    await both('ps --format json', ['ps', '--format', 'json']);
    await both('logs', ['logs']);
    await both('images', ['images']);
    await both('top', ['top']);
    await both('exec (failing)', ['exec', '-T', 'web', 'cat', '/no/such/file']);
    await both('up -d nosuch (failing)', ['up', '-d', 'nosuch']);
    await both('run --rm (failing)', ['run', '--rm', '-T', 'web', 'sh', '-c', 'exit 3']);
    await both('up -d (no change)', ['up', '-d']);
  }, 180_000);

  afterAll(async () => {
    await docker(['rm', '-f', ghosts.container]);
    await docker(['network', 'rm', ghosts.network]);
    await docker(['volume', 'rm', '-f', ghosts.volume]);
    await Promise.all([cleanup(ours), cleanup(theirs, dir)]);
  });

  it('the commands ran as compose ran them (same exit codes)', () => {
    // compose 2.26.1's dry run cannot copy a secret from an environment source ("Could not find the file / in
    // container …", exit 1) where berth plans it and exits 0
    const same = outputs.filter((o) => o.cmd !== '--dry-run up -d');
    expect(same.map((o) => [o.cmd, o.berth.code])).toEqual(same.map((o) => [o.cmd, o.compose.code]));
    expect(outputs.find((o) => o.cmd === '--dry-run up -d')?.berth.code).toBe(0);
  });

  it('no canary in any output, except what compose prints too', () => {
    const leaks = outputs.map((o) => ({
      cmd: o.cmd,
      berth: found(o.berth.stdout + o.berth.stderr),
      compose: found(o.compose.stdout + o.compose.stderr),
    }));
    for (const l of leaks) for (const c of l.berth) expect(l.compose, `${l.cmd} printed the ${c} canary; compose does not`).toContain(c);
    // config prints environment values, as compose's does; never the secret's content or its source variable
    expect(leaks.find((l) => l.cmd === 'config')).toEqual({ cmd: 'config', berth: ['environment', 'dotenv'], compose: ['environment', 'dotenv'] });
    expect(leaks.filter((l) => l.cmd !== 'config' && l.berth.length)).toEqual([]);
  });

  it('no canary in the lock directory, berth\'s TMPDIR, or files under /tmp made since the test began', async () => {
    const tmpFiles = [];
    for (const e of await readdir('/tmp', { withFileTypes: true })) {
      if (!e.isFile()) continue;
      const s = await stat(join('/tmp', e.name)).catch(() => undefined);
      if (s && s.mtimeMs >= started && s.size < 10 << 20) tmpFiles.push({ path: join('/tmp', e.name), dir: false });
    }
    expect(await canariesIn([...(await walk(locks)), ...(await walk(tmp)), ...tmpFiles])).toEqual([]);
  });

  // fixed by issue-14a (defect 4: the project cache stores the environment and the .env text in clear)
  it('no canary in the project cache ($HOME/.cache/berth)', async () => {
    const files = await walk(join(home, '.cache'));
    expect(files.filter((f) => !f.dir).length).toBeGreaterThan(0);
    expect(await canariesIn(files)).toEqual([]);
  });

  it('the project cache: files 0600, directories 0700', async () => {
    const files = await walk(join(home, '.cache', 'berth'));
    expect(files.filter((f) => !f.dir).length).toBeGreaterThan(0);
    for (const f of files) expect([f.path, f.mode.toString(8)]).toEqual([f.path, f.dir ? '700' : '600']);
  });

  it('the lock directory is writable by nobody else (unless sticky, for a shared one); no lock is left behind', async () => {
    const s = await stat(locks);
    const mode = s.mode & 0o7777;
    expect((mode & 0o022) === 0 || (mode & 0o1000) !== 0, `lock dir mode ${mode.toString(8)}`).toBe(true);
    expect((await walk(locks)).filter((f) => !f.dir)).toEqual([]);
  });

  it('down -v --remove-orphans leaves unlabelled look-alikes alone', async () => {
    const r = await berth(['-p', ours, 'down', '-v', '--remove-orphans'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(found(r.stdout + r.stderr)).toEqual([]);
    expect((await docker(['inspect', '-f', '{{.State.Running}}', ghosts.container])).stdout.trim()).toBe('true');
    expect((await docker(['network', 'inspect', ghosts.network])).code).toBe(0);
    expect((await docker(['volume', 'inspect', ghosts.volume])).code).toBe(0);
    expect((await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${ours}`])).stdout.trim()).toBe('');
  });

  // fixed by issue-14a (defect 4: the project's cache entry outlives `down` and the project)
  it('after down, the project has no entry left in the cache', async () => {
    expect((await walk(join(home, '.cache', 'berth'))).filter((f) => !f.dir)).toEqual([]);
  });
});

