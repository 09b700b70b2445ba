// DOCKER_HOST=ssh://root@127.0.0.1:PORT against an sshd this test starts on loopback, with a host key and a
// client key it made. berth reaches it as the docker CLI does: the `ssh` program on PATH runs
// `docker system dial-stdio` on the far side (here: this machine, so the far side's engine is the main one).
// OpenSSH reads ~/.ssh from the passwd entry's home, not $HOME, so the test never lets ssh read root's own
// configuration: the `ssh` on berth's PATH is a wrapper that runs /usr/bin/ssh with -F and the test's config
// (its key, its known_hosts), and logs the arguments berth gave it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, freePort, leftovers, projectDir, run, uniqueProject } from '../helpers/e2e.js';

const PREFIX = 'b16c';
let sshd: ChildProcess | undefined;
let sshdExited = false;
let dir: string;
let port: number;
let project: string;
let composeDir: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    DOCKER_HOST: `ssh://root@127.0.0.1:${port}`,
    DOCKER_CONFIG: join(dir, 'docker-config'),
    DOCKER_CONTEXT: '',
    ...extra,
  };
}

async function sh(script: string): Promise<void> {
  const r = await run('bash', ['-euo', 'pipefail', '-c', script]);
  if (r.code !== 0) throw new Error(`${script}\n${r.stderr}`);
}

function accepting(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(p, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describeEngine('ssh:// engines', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${PREFIX}-ssh-`));
    port = await freePort();
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'docker-config'));
    await sh(
      `cd '${dir}'
       ssh-keygen -q -t ed25519 -N '' -C berth-test-host -f host_key
       ssh-keygen -q -t ed25519 -N '' -C berth-test-client -f id_ed25519
       cp id_ed25519.pub authorized_keys
       printf '[127.0.0.1]:${port} %s\\n' "$(cut -d' ' -f1,2 host_key.pub)" > known_hosts
       # sshd's privilege-separation directory (Debian's service creates it at start; sshd -D here does not)
       [ -d /run/sshd ] || install -d -m 0755 /run/sshd`,
    );
    await writeFile(
      join(dir, 'sshd_config'),
      [
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `PidFile ${dir}/sshd.pid`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // the keys live under the test's temporary directory, inside the world-writable /tmp
        'StrictModes no',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'ssh_config'),
      ['Host *', `  IdentityFile ${dir}/id_ed25519`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${dir}/known_hosts`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  BatchMode yes', ''].join('\n'),
    );
    await writeFile(join(dir, 'bin', 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${dir}/ssh.log'\nexec /usr/bin/ssh -F '${dir}/ssh_config' "$@"\n`);
    await chmod(join(dir, 'bin', 'ssh'), 0o755);

    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port), '-o', 'ListenAddress=127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    sshd.on('exit', () => (sshdExited = true));
    const deadline = Date.now() + 30_000;
    while (!(await accepting(port))) {
      if (sshdExited || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    project = uniqueProject('ssh');
    composeDir = await projectDir({ 'compose.yaml': 'services:\n  web:\n    image: busybox:local\n    command: ["sleep", "300"]\n' });
  }, 60_000);

  afterAll(async () => {
    if (project) await cleanup(project);
    if (sshd && !sshdExited) {
      sshd.kill('SIGTERM');
      await new Promise((r) => sshd!.once('exit', r));
    }
  });

  it('the docker CLI reaches the engine through this sshd (the setup itself works)', async () => {
    const r = await run('docker', ['version', '--format', '{{.Server.Version}}'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
  });

  it('up -d, ps, exec and down over ssh, through `ssh ... docker system dial-stdio`', async () => {
    await writeFile(join(dir, 'ssh.log'), '');
    const o = { cwd: composeDir, env: env() };
    const up = await berth(['-p', project, 'up', '-d'], o);
    expect(up.code, up.stderr).toBe(0);
    // the far side's engine is this machine's
    expect((await leftovers(project)).containers).toEqual([`${project}-web-1`]);
    const log = await readFile(join(dir, 'ssh.log'), 'utf8');
    expect(log).toContain(`-l root -p ${port} -o ConnectTimeout=30 -T -- 127.0.0.1 docker system dial-stdio`);

    const ps = await berth(['-p', project, 'ps', '--format', 'json'], o);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain(`"Name":"${project}-web-1"`);

    // a hijacked connection (exec's output stream) over the same transport
    const exec = await berth(['-p', project, 'exec', '-T', 'web', 'echo', 'over-ssh'], o);
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout.trim()).toBe('over-ssh');

    const down = await berth(['-p', project, 'down', '-t', '0'], o);
    expect(down.code, down.stderr).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('an ssh host that does not answer: one line with ssh’s reason', async () => {
    const closed = await freePort();
    const r = await berth(['-p', project, 'ps'], { cwd: composeDir, env: env({ DOCKER_HOST: `ssh://root@127.0.0.1:${closed}` }) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`ssh://root@127.0.0.1:${closed}`);
    expect(lines[0]).toMatch(/Connection refused/);
  });
});
