// `berth config` flags whose output shape lives in the command (needs `npm run build`): YAML in, YAML out,
// the expected text being what compose-ref 2.26.1 prints for the same file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-config-cmd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (yaml: string, ...args: string[]) => {
  writeFileSync(path.join(dir, 'compose.yaml'), yaml);
  return spawnSync(process.execPath, ['--', bin, '-p', 'rid', 'config', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, BERTH_PROJECT_CACHE: '0' } });
};

describe('config --no-normalize', () => {
  it('drops networks and volumes no service uses, adds nothing (compose-ref prints the same)', () => {
    const r = config(
      'services:\n  a:\n    image: busybox:local\n    networks: [used]\n    volumes: [vol:/v]\nnetworks:\n  used: {}\n  unused: {}\nvolumes:\n  vol: {}\n  vol2: {}\n',
      '--no-normalize',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`name: rid
services:
  a:
    image: busybox:local
    networks:
      used: null
    volumes:
      - type: volume
        source: vol
        target: /v
        volume: {}
networks:
  used: {}
volumes:
  vol: {}
`);
  });

  it('a project whose resources are all unused prints services only', () => {
    const r = config('services:\n  a:\n    image: busybox:local\nnetworks:\n  unused: {}\nvolumes:\n  vol: {}\n', '--no-normalize');
    expect(r.stdout).toBe('name: rid\nservices:\n  a:\n    image: busybox:local\n');
  });
});

describe('config --no-env-resolution (the newer compose)', () => {
  it('prints env_file as written (path resolved) and the environment unresolved', () => {
    writeFileSync(path.join(dir, 'a.env'), 'FROM_FILE=1\n');
    const r = config('services:\n  a:\n    image: busybox:local\n    env_file: a.env\n    environment: [X=1, HOME]\n', '--no-env-resolution');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`name: rid
services:
  a:
    environment:
      HOME: null
      X: "1"
    env_file:
      - path: ${path.join(dir, 'a.env')}
    image: busybox:local
    networks:
      default: null
networks:
  default:
    name: rid_default
`);
  });
});
