// Engine selection as the docker CLI does it, against a second engine on a TLS tcp socket (test/helpers/
// tls-engine.ts): a context made by the real `docker context create`, chosen with --context, DOCKER_CONTEXT and
// `docker context use`; DOCKER_HOST with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH; -H with the --tls* flags. Each
// time the stack must land on the second engine and not on the main one. DOCKER_CONFIG is a directory of the
// test's own, so the user's docker configuration is never read or written.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, leftovers, projectDir, run, uniqueProject } from '../helpers/e2e.js';
import { PREFIX, startTlsEngine, type TlsEngine } from '../helpers/tls-engine.js';

const CONTEXT = `${PREFIX}-ctx`;
const BAD_CONTEXT = `${PREFIX}-badca`;
const COMPOSE = 'services:\n  web:\n    image: busybox:local\n    command: ["sleep", "300"]\n  worker:\n    image: busybox:local\n    command: ["sleep", "300"]\n';

let engine: TlsEngine;
let config: string;
let dir: string;
const projects: string[] = [];

/** The environment of every command here: our DOCKER_CONFIG, and none of the caller's engine variables. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '', DOCKER_TLS_VERIFY: '', DOCKER_TLS: '', DOCKER_CERT_PATH: '', ...extra };
}

function dockerCli(args: readonly string[]) {
  return run('docker', args, { env: env() });
}

/** The project's container names on the second engine. */
async function onSecondEngine(project: string): Promise<string[]> {
  const r = await engine.docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** up -d, ps and down through one way of choosing the engine; the stack must be on the second engine only. */
async function roundTrip(flags: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
  const project = uniqueProject('ctx');
  projects.push(project);
  const o = { cwd: dir, env: env(extraEnv) };
  const up = await berth([...flags, '-p', project, 'up', '-d'], o);
  expect(up.code, up.stderr).toBe(0);
  expect(await onSecondEngine(project)).toEqual([`${project}-web-1`, `${project}-worker-1`]);
  expect((await leftovers(project)).containers).toEqual([]);

  const ps = await berth([...flags, '-p', project, 'ps', '--format', 'json'], o);
  expect(ps.code, ps.stderr).toBe(0);
  const names = ps.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Name: string; State: string }));
  expect(names.map((n) => n.Name).sort()).toEqual([`${project}-web-1`, `${project}-worker-1`]);
  expect(names.every((n) => n.State === 'running')).toBe(true);

  const down = await berth([...flags, '-p', project, 'down', '-t', '0'], o);
  expect(down.code, down.stderr).toBe(0);
  expect(await onSecondEngine(project)).toEqual([]);
  const nets = await engine.docker(['network', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Name}}']);
  expect(nets.stdout.trim()).toBe('');
}

describeEngine('engine selection (contexts, DOCKER_HOST, TLS)', () => {
  beforeAll(async () => {
    engine = await startTlsEngine();
    config = join(engine.dir, 'docker-config');
    await mkdir(config, { recursive: true });
    dir = await projectDir({ 'compose.yaml': COMPOSE });
    const c = engine.clientCertDir;
    const made = await dockerCli(['context', 'create', CONTEXT, '--docker', `host=${engine.tcpHost},ca=${c}/ca.pem,cert=${c}/cert.pem,key=${c}/key.pem`]);
    expect(made.code, made.stderr).toBe(0);
    const bad = await dockerCli(['context', 'create', BAD_CONTEXT, '--docker', `host=${engine.tcpHost},ca=${engine.wrongCa},cert=${c}/cert.pem,key=${c}/key.pem`]);
    expect(bad.code, bad.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const p of projects) {
      await engine?.docker(['rm', '-f', ...(await onSecondEngine(p).catch(() => []))]).catch(() => undefined);
      await cleanup(p);
    }
    await engine?.stop();
  }, 120_000);

  it('--context names a context made by `docker context create`', async () => {
    await roundTrip(['--context', CONTEXT]);
  });

  it('-c is --context; the docker CLI agrees the context reaches that engine', async () => {
    const viaDocker = await dockerCli(['--context', CONTEXT, 'version', '--format', '{{.Server.Os}}']);
    expect(viaDocker.code, viaDocker.stderr).toBe(0);
    await roundTrip(['-c', CONTEXT]);
  });

  it('DOCKER_CONTEXT, and it loses to DOCKER_HOST as in the docker CLI', async () => {
    await roundTrip([], { DOCKER_CONTEXT: CONTEXT });
    // DOCKER_HOST means the default context: the unreachable address wins over DOCKER_CONTEXT
    const r = await berth(['-p', uniqueProject('ctx'), 'ps'], { cwd: dir, env: env({ DOCKER_CONTEXT: CONTEXT, DOCKER_HOST: 'unix:///nonexistent/b16c.sock' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unix:///nonexistent/b16c.sock');
  });

  it('currentContext in config.json, as `docker context use` writes it', async () => {
    const use = await dockerCli(['context', 'use', CONTEXT]);
    expect(use.code, use.stderr).toBe(0);
    try {
      await roundTrip([]);
      // --context default goes back to the default engine over the current context
      const p = uniqueProject('ctx');
      projects.push(p);
      const up = await berth(['--context', 'default', '-p', p, 'up', '-d'], { cwd: dir, env: env() });
      expect(up.code, up.stderr).toBe(0);
      expect((await leftovers(p)).containers).toEqual([`${p}-web-1`, `${p}-worker-1`]);
      expect(await onSecondEngine(p)).toEqual([]);
      expect((await berth(['--context', 'default', '-p', p, 'down', '-t', '0'], { cwd: dir, env: env() })).code).toBe(0);
    } finally {
      await dockerCli(['context', 'use', 'default']);
    }
  });

  it('DOCKER_HOST with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    await roundTrip([], { DOCKER_HOST: engine.tcpHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.clientCertDir });
  });

  it('-H with the --tls* flags, over DOCKER_HOST', async () => {
    const c = engine.clientCertDir;
    await roundTrip(['-H', engine.tcpHost, '--tlsverify', '--tlscacert', `${c}/ca.pem`, '--tlscert', `${c}/cert.pem`, '--tlskey', `${c}/key.pem`], {
      DOCKER_HOST: 'unix:///nonexistent/b16c.sock',
    });
  });

  it('a CA that did not sign the engine certificate: one clear line, nothing created', async () => {
    const project = uniqueProject('ctx');
    projects.push(project);
    const r = await berth(['--context', BAD_CONTEXT, '-p', project, 'up', '-d'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(engine.tcpHost);
    expect(lines[0]).toMatch(/certificate/i);
    expect(await onSecondEngine(project)).toEqual([]);
    expect((await leftovers(project)).containers).toEqual([]);
  });

  it('an unknown context: the docker CLI error, for every command; --context with -H is refused', async () => {
    const r = await berth(['--context', `${PREFIX}-nope`, 'ps'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^unable to resolve docker endpoint: context "${PREFIX}-nope": context not found: open ${config}/contexts/meta/[0-9a-f]{64}/meta.json: no such file or directory$`));
    // as compose, at start-up: even a command that needs no engine
    const configCmd = await berth(['--context', `${PREFIX}-nope`, 'config', '-q'], { cwd: dir, env: env() });
    expect(configCmd.code).toBe(1);
    expect(configCmd.stderr).toContain(`context "${PREFIX}-nope": context not found`);
    const both = await berth(['--context', CONTEXT, '-H', engine.tcpHost, 'ps'], { cwd: dir, env: env() });
    expect(both.code).toBe(1);
    expect(both.stderr.trim()).toBe('conflicting options: cannot specify both --host and --context');
  });
});
