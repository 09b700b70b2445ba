// Registry credentials as the Docker CLI keeps them: inline `auths`, and credential helper programs
// (`credHelpers` per registry, `credsStore` for the rest), run for real here: small shell scripts on PATH
// that speak the docker-credential-helpers protocol (`get` reads an address on stdin, `list` prints a map).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialHelperError, credentialSource, readDockerConfig, resolveAllAuths, resolveAuth, type DockerConfigFile } from '../../../src/engine/dockerode/registry-auth.js';

let dir: string;
let savedPath: string | undefined;

/** A helper holding `store` (address → [user, secret]); every call is logged to <dir>/<name>.log. */
function helper(name: string, store: Record<string, [string, string]>): void {
  const cases = Object.entries(store)
    .map(([addr, [user, secret]]) => `  '${addr}') printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' '${addr}' '${user}' '${secret}' ;;`)
    .join('\n');
  const list = JSON.stringify(Object.fromEntries(Object.entries(store).map(([a, [u]]) => [a, u])));
  const script = `#!/bin/sh
echo "$1" >> '${dir}/${name}.log'
if [ "$1" = list ]; then printf '%s' '${list}'; exit 0; fi
read addr
case "$addr" in
${cases}
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
  const file = path.join(dir, 'bin', `docker-credential-${name}`);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-credhelper-'));
  mkdirSync(path.join(dir, 'bin'));
  savedPath = process.env.PATH;
  process.env.PATH = `${path.join(dir, 'bin')}:${process.env.PATH}`;
  helper('store', { 'localhost:5001': ['alice', 's3cret'], 'https://index.docker.io/v1/': ['<token>', 'hub-token'] });
  helper('ecr', { 'registry.example.com:5000': ['AWS', 'ecr-password'] });
  const broken = path.join(dir, 'bin', 'docker-credential-broken');
  writeFileSync(broken, '#!/bin/sh\necho "keychain is locked" >&2\nexit 3\n');
  chmodSync(broken, 0o755);
});
afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

const config = (c: Partial<DockerConfigFile>): DockerConfigFile => ({ auths: {}, path: '/cfg/config.json', ...c });

describe('credential helpers', () => {
  it('credsStore answers for every registry; "<token>" is an identity token; nothing stored means no credentials', async () => {
    const c = config({ credsStore: 'store', auths: { 'localhost:5001': {} } });
    expect(await resolveAuth(c, 'localhost:5001')).toEqual({ serveraddress: 'localhost:5001', username: 'alice', password: 's3cret' });
    expect(await resolveAuth(c, 'docker.io')).toEqual({ serveraddress: 'https://index.docker.io/v1/', identitytoken: 'hub-token' });
    expect(await resolveAuth(c, 'other.example.com')).toBeUndefined();
    expect(credentialSource(c, 'localhost:5001')).toBe('docker-credential-store (/cfg/config.json)');
  });

  it('credHelpers wins for its registry; others go to credsStore; without helpers `auths` is read', async () => {
    const c = config({ credsStore: 'store', credHelpers: { 'registry.example.com:5000': 'ecr' }, auths: { 'localhost:5001': { auth: Buffer.from('bob:inline').toString('base64') } } });
    expect(await resolveAuth(c, 'registry.example.com:5000')).toEqual({ serveraddress: 'registry.example.com:5000', username: 'AWS', password: 'ecr-password' });
    // the store's answer, not the inline one: docker reads a registry from its helper when there is one
    expect((await resolveAuth(c, 'localhost:5001'))?.username).toBe('alice');
    const inline = config({ auths: c.auths });
    expect(await resolveAuth(inline, 'localhost:5001')).toEqual({ serveraddress: 'localhost:5001', username: 'bob', password: 'inline' });
    expect(credentialSource(inline, 'localhost:5001')).toBe('/cfg/config.json');
  });

  it('a helper that is missing or fails is an error naming it, with what it said', async () => {
    await expect(resolveAuth(config({ credsStore: 'nosuchhelper' }), 'localhost:5001')).rejects.toThrow(new CredentialHelperError('credential helper docker-credential-nosuchhelper failed (get): not found on PATH'));
    await expect(resolveAuth(config({ credHelpers: { 'localhost:5001': 'broken' } }), 'localhost:5001')).rejects.toThrow(/docker-credential-broken failed \(get\): keychain is locked/);
  });

  it('a helper that is gone before it reads its input fails as an error, not as an uncaught EPIPE (repeated: it is a race)', async () => {
    const quitter = path.join(dir, 'bin', 'docker-credential-quitter');
    writeFileSync(quitter, '#!/bin/sh\nexec 0<&-\nexit 4\n');
    chmodSync(quitter, 0o755);
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 20; i++) {
        await expect(resolveAuth(config({ credsStore: 'quitter' }), 'localhost:5001')).rejects.toBeInstanceOf(CredentialHelperError);
        await expect(resolveAuth(config({ credsStore: 'nosuchhelper' }), 'localhost:5001')).rejects.toBeInstanceOf(CredentialHelperError);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('a build gets every credential: inline ones, what the store lists, and each credHelpers registry', async () => {
    const all = await resolveAllAuths(
      config({ credsStore: 'store', credHelpers: { 'registry.example.com:5000': 'ecr' }, auths: { 'plain.example.com': { auth: Buffer.from('u:p').toString('base64') } } }),
    );
    expect(Object.keys(all).sort()).toEqual(['https://index.docker.io/v1/', 'localhost:5001', 'plain.example.com', 'registry.example.com:5000']);
    expect(all['localhost:5001'].password).toBe('s3cret');
    expect(all['registry.example.com:5000'].password).toBe('ecr-password');
    expect(all['plain.example.com'].username).toBe('u');
  });

  it('reads credsStore and credHelpers from config.json, ignoring values that are not names', async () => {
    const cfgDir = path.join(dir, 'docker');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(path.join(cfgDir, 'config.json'), JSON.stringify({ auths: {}, credsStore: 'store', credHelpers: { 'a.example.com': 'ecr', 'b.example.com': 7, 'c.example.com': '' } }));
    const c = await readDockerConfig({ DOCKER_CONFIG: cfgDir });
    expect(c.credsStore).toBe('store');
    expect(c.credHelpers).toEqual({ 'a.example.com': 'ecr' });
  });
});
