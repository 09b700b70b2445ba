// berth as the Docker CLI plugin: scripts/install-docker-plugin.sh links it into $DOCKER_CONFIG/cli-plugins
// (a directory of the test's own, so the user's docker configuration is untouched), and the real docker CLI
// (/usr/local/bin/docker) then runs it for `docker compose ...`, passing its own global flags first.
import { existsSync } from 'node:fs';
import { mkdtemp, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berthBin, cleanup, describeEngine, leftovers, projectDir, repoRoot, run, uniqueProject } from '../helpers/e2e.js';

let config: string;
let dir: string;
const project = uniqueProject('plugin');

// Where the docker CLI looks for plugins after $DOCKER_CONFIG/cli-plugins (docker/cli cli-plugins/manager).
const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

function docker(args: readonly string[]) {
  return run('docker', args, { cwd: dir, env: { DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' } });
}

function install(args: readonly string[] = []) {
  return run('bash', [join(repoRoot, 'scripts/install-docker-plugin.sh'), ...args], { env: { DOCKER_CONFIG: config } });
}

describeEngine('docker compose runs berth (the Docker CLI plugin)', () => {
  beforeAll(async () => {
    config = await mkdtemp(join(tmpdir(), 'b16c-plugin-'));
    dir = await projectDir({ 'compose.yaml': 'services:\n  web:\n    image: busybox:local\n    command: ["sleep", "300"]\n' });
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => cleanup(project));

  it('installs one link, idempotently, and never over a docker-compose that is not berth', async () => {
    expect(await readlink(join(config, 'cli-plugins/docker-compose'))).toBe(berthBin);
    expect((await install()).code).toBe(0);
    const other = await mkdtemp(join(tmpdir(), 'b16c-plugin-other-'));
    await run('mkdir', ['-p', join(other, 'cli-plugins')]);
    await writeFile(join(other, 'cli-plugins/docker-compose'), '#!/bin/sh\necho not berth\n');
    const refused = await run('bash', [join(repoRoot, 'scripts/install-docker-plugin.sh')], { env: { DOCKER_CONFIG: other } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('exists and is not berth');
  });

  it('the docker CLI lists it and `docker compose version` is berth’s', async () => {
    const version = await docker(['compose', 'version']);
    expect(version.code, version.stderr).toBe(0);
    const own = await run(process.execPath, ['--', berthBin, 'version'], {});
    expect(version.stdout).toBe(own.stdout);
    expect(version.stdout).toMatch(/^berth version /);
    // whatever Compose a system plugin directory holds, the user's directory comes first
    for (const d of SYSTEM_PLUGIN_DIRS) if (existsSync(join(d, 'docker-compose'))) expect(version.stdout).toMatch(/^berth version /);
    const info = await docker(['info', '--format', '{{range .ClientInfo.Plugins}}{{.Name}} {{.Vendor}} {{.Path}}{{"\\n"}}{{end}}']);
    expect(info.stdout).toContain(`compose berth ${join(config, 'cli-plugins/docker-compose')}`);
  });

  it('docker compose up -d / ps / down', async () => {
    const up = await docker(['compose', '-p', project, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect((await leftovers(project)).containers).toEqual([`${project}-web-1`]);
    const inspect = await run('docker', ['inspect', '--format', '{{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.project.working_dir"}}', `${project}-web-1`]);
    expect(inspect.stdout.trim()).toBe(`web ${dir}`);

    const ps = await docker(['compose', '-p', project, 'ps', '--format', 'json']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(JSON.parse(ps.stdout.trim().split('\n')[0]!)).toMatchObject({ Name: `${project}-web-1`, Service: 'web', State: 'running' });

    // the docker CLI's global flags come before the plugin name; berth reads them as the docker CLI would
    const made = await docker(['context', 'create', 'b16c-void', '--docker', 'host=unix:///nonexistent/b16c-void.sock']);
    expect(made.code, made.stderr).toBe(0);
    const viaContext = await docker(['--context', 'b16c-void', 'compose', '-p', project, 'ps', '-q']);
    expect(viaContext.code).toBe(1);
    expect(viaContext.stderr).toContain('unix:///nonexistent/b16c-void.sock');
    const viaHost = await docker(['-H', 'unix:///var/run/docker.sock', 'compose', '-p', project, 'ps', '-q']);
    expect(viaHost.code, viaHost.stderr).toBe(0);
    expect(viaHost.stdout.trim()).toMatch(/^[0-9a-f]{12,64}$/);

    const down = await docker(['compose', '-p', project, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
