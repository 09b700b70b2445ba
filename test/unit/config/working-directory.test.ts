import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workingDirectory } from '../../../src/config/index.js';

describe('workingDirectory', () => {
  const start = process.cwd();
  afterEach(() => process.chdir(start));

  it('keeps $PWD when it names the same directory through a symlink, like compose', () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'berth-wd-')));
    try {
      symlinkSync(base, `${base}-link`);
      process.chdir(base);
      expect(workingDirectory({ PWD: `${base}-link` })).toBe(`${base}-link`);
      expect(workingDirectory({ PWD: '/' })).toBe(base);
      expect(workingDirectory({ PWD: `${base}-gone` })).toBe(base);
      expect(workingDirectory({})).toBe(base);
    } finally {
      rmSync(`${base}-link`, { force: true });
      rmSync(base, { recursive: true, force: true });
    }
  });
});
