// Setup file of every test project: each test file gets a temporary root of its own, made the process's
// TMPDIR, so that every temporary directory the file makes (with mkdtemp under tmpdir(), or made by berth
// itself or by a child process it starts) is inside it; the root is removed when the file is done, whether
// its tests passed or not. Tests then need no cleanup of their own for temporary files, and a failed or
// interrupted assertion leaves nothing behind in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'berth-test-'));
const previous = process.env.TMPDIR;
process.env.TMPDIR = root;

// registered first, so with vitest's stack order of after-hooks it runs after the file's own afterAll hooks
afterAll(() => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  // containers may have written root-owned files into bind-mounted directories; force covers what is gone
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
});
