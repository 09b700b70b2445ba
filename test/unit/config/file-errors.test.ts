// Issue 14, defect 5: files that cannot be read as what they should be. Invalid UTF-8 is an error at its
// position (never rewritten to U+FFFD); a symlink loop is "too many levels of symbolic links", also for an
// env_file with required: false (as compose 2.26.1); a compose path that is a directory says so.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../../src/config/files.js';
import { loadProject } from '../../../src/config/index.js';
import { ConfigError, ErrorCodes } from '../../../src/model/errors.js';
import { withComposeDir } from './helpers.js';

const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ConfigError);

describe('firstInvalidUtf8', () => {
  const cases: [string, number[], number][] = [
    ['ASCII', [0x61, 0x62], -1],
    ['2, 3 and 4-byte characters', [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['0xff', [0x61, 0x62, 0xff], 2],
    ['an overlong 2-byte form (0xc0)', [0xc0, 0xaf], 0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a UTF-16 surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['truncated at the end', [0x61, 0xe2, 0x82], 1],
    ['a sequence cut by ASCII', [0xe2, 0x41, 0x42], 0],
  ];
  for (const [what, bytes, at] of cases) it(what, () => expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at));
});

describe('invalid UTF-8 is rejected with its position', () => {
  it('in a compose file (compose: "yaml: invalid leading UTF-8 octet")', async () => {
    await withComposeDir({}, async (dir) => {
      writeFileSync(path.join(dir, 'compose.yaml'), Buffer.concat([Buffer.from('services:\n  s:\n    image: "é'), Buffer.from([0xff]), Buffer.from('"\n')]));
      const err = await fail(loadProject({ cwd: dir, env: {} }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.code).toBe(ErrorCodes.INVALID_UTF8);
      expect(err!.message).toBe(`${path.join(dir, 'compose.yaml')}:3:14: an invalid leading UTF-8 octet (byte 0xff): the file must be UTF-8: save it as UTF-8`);
    });
  });

  it('in .env and in an env_file', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  s:\n    image: busybox\n    env_file: [a.env]\n', 'a.env': 'A=1\n' }, async (dir) => {
      writeFileSync(path.join(dir, '.env'), Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0x78, 0xc3, 0x79, 0x0a]));
      let err = await fail(loadProject({ cwd: dir, env: {} }));
      expect(err!.code).toBe(ErrorCodes.INVALID_UTF8);
      expect(err!.message).toBe(`${path.join(dir, '.env')}:2:4: an incomplete or malformed UTF-8 sequence (byte 0xc3): the file must be UTF-8: save it as UTF-8`);
      writeFileSync(path.join(dir, '.env'), 'OK=1\n');
      writeFileSync(path.join(dir, 'a.env'), Buffer.from([0x41, 0x3d, 0xe2, 0x82]));
      err = await fail(loadProject({ cwd: dir, env: {} }));
      expect(err!.message).toBe(`${path.join(dir, 'a.env')}:1:3: an incomplete or malformed UTF-8 sequence (byte 0xe2): the file must be UTF-8: save it as UTF-8`);
    });
  });

  it('valid UTF-8 (a BOM, multi-byte characters) still loads, unchanged', async () => {
    await withComposeDir({ 'compose.yaml': '\ufeffservices:\n  s:\n    image: busybox\n    environment:\n      A: "héllo €😀"\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.s.environment).toEqual({ A: 'héllo €😀' });
    });
  });
});

describe('files that are not files', () => {
  const loop = (dir: string) => {
    symlinkSync('loop2', path.join(dir, 'loop1'));
    symlinkSync('loop1', path.join(dir, 'loop2'));
  };
  for (const [what, envFile] of [
    ['required', '[loop1]'],
    ['required: false', '\n      - path: loop1\n        required: false'],
  ]) {
    it(`an env_file that is a symlink loop (${what}): too many levels of symbolic links`, async () => {
      await withComposeDir({ 'compose.yaml': `services:\n  s:\n    image: busybox\n    env_file: ${envFile}\n` }, async (dir) => {
        loop(dir);
        const err = await fail(loadProject({ cwd: dir, env: {} }));
        expect(err).toBeInstanceOf(ConfigError);
        expect(err!.code).toBe(ErrorCodes.FILE_UNREADABLE);
        expect(err!.message).toBe(`open ${path.join(dir, 'loop1')}: too many levels of symbolic links: fix or remove the link`);
      });
    });
  }

  it('a missing env_file with required: false is still skipped', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  s:\n    image: busybox\n    env_file:\n      - path: none.env\n        required: false\n' }, async (dir) => {
      expect((await loadProject({ cwd: dir, env: {} })).services.s.environment ?? {}).toEqual({});
    });
  });

  it('-f naming a directory, and a directory by a default name: "is a directory"', async () => {
    await withComposeDir({ 'up/compose.yaml': 'services:\n  s:\n    image: busybox\n' }, async (dir) => {
      mkdirSync(path.join(dir, 'up/d/compose.yaml'), { recursive: true });
      let err = await fail(loadProject({ cwd: path.join(dir, 'up'), files: ['d/compose.yaml'], env: {} }));
      expect(err!.code).toBe(ErrorCodes.FILE_UNREADABLE);
      expect(err!.message).toBe(`read ${path.join(dir, 'up/d/compose.yaml')}: is a directory: give -f / COMPOSE_FILE the compose file, not its folder`);
      // compose reads the directory it found and fails, rather than using ../compose.yaml
      err = await fail(loadProject({ cwd: path.join(dir, 'up/d'), env: {} }));
      expect(err!.message).toBe(`read ${path.join(dir, 'up/d/compose.yaml')}: is a directory: name a file`);
    });
  });
});
