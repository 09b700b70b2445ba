// The build context: .dockerignore with Docker's semantics, evaluated before anything is read, and the tar
// stream that is sent.
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextArchive, contextMatcher, parseDockerignore, walkContext } from '../../../src/ops/build-context.js';

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** Entries of a tar stream: name → { type, size, uid, content }. */
async function untar(stream: Readable): Promise<{ bytes: number; entries: Map<string, { type: string; uid: number; content: string }> }> {
  const entries = new Map<string, { type: string; uid: number; content: string }>();
  let bytes = 0;
  const ex = extract();
  ex.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      entries.set(header.name.replace(/\/$/, ''), { type: header.type ?? 'file', uid: header.uid ?? -1, content: Buffer.concat(chunks).toString() });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  stream.on('data', (c: Buffer) => (bytes += c.length));
  stream.pipe(ex);
  await done;
  return { bytes, entries };
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('parseDockerignore', () => {
  it('drops comments and blanks, cleans paths and anchors them at the root', () => {
    expect(parseDockerignore('\uFEFF# comment\n\n  /secret.txt  \n./a/b/../c/\n!  keep/me\n*.log\r\n #not a comment\n')).toEqual([
      'secret.txt',
      'a/c',
      '!keep/me',
      '*.log',
      '#not a comment',
    ]);
  });
});

describe('walkContext', () => {
  it('applies root-anchored patterns and ! exceptions like docker build', async () => {
    const dir = await tree({
      'Dockerfile': 'FROM busybox:local\n',
      'secret.txt': 's',
      'sub/secret.txt': 'kept: patterns are anchored at the root',
      'a.log': 'x',
      'sub/b.log': 'kept: * does not cross a slash',
      'deep/x/y.tmp': 'x',
      'docs/keep.md': 'k',
      'docs/other.md': 'o',
      'docs/sub/more.md': 'm',
    });
    dirs.push(dir);
    const m = contextMatcher(parseDockerignore('secret.txt\n*.log\n**/*.tmp\ndocs\n!docs/keep.md\n'));
    expect(await walkContext(dir, m)).toEqual(['Dockerfile', 'deep', 'deep/x', 'docs/keep.md', 'sub', 'sub/b.log', 'sub/secret.txt']);
  });

  it('never looks inside an excluded directory unless an exception names a path in it', async () => {
    const dir = await tree({ 'Dockerfile': 'x', 'node_modules/a/index.js': 'x', 'node_modules/b/keep.txt': 'x', 'vendor/x.js': 'x' });
    dirs.push(dir);
    const base = contextMatcher(parseDockerignore('node_modules\nvendor\n!vendor/x.js\n'));
    const asked: string[] = [];
    const spy = { excluded: (p: string) => (asked.push(p), base.excluded(p)), exceptionInside: base.exceptionInside };
    expect(await walkContext(dir, spy)).toEqual(['Dockerfile', 'vendor/x.js']);
    // node_modules itself is judged; nothing below it is ever listed
    expect(asked.filter((p) => p.startsWith('node_modules/'))).toEqual([]);
    expect(asked).toContain('vendor/x.js');
  });
});

describe('contextArchive', () => {
  it('always sends the Dockerfile and .dockerignore, owned by root', async () => {
    const dir = await tree({ 'Dockerfile': 'FROM busybox:local\n', '.dockerignore': '*\n', 'app.js': 'x' });
    dirs.push(dir);
    const archive = await contextArchive({ context: dir, dockerfile: 'Dockerfile' });
    expect(archive.dockerfile).toBe('Dockerfile');
    const { entries } = await untar(archive.stream);
    expect([...entries.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile']);
    expect(entries.get('Dockerfile')!.uid).toBe(0);
  });

  it('adds an inline or outside Dockerfile under a content-derived name listed in .dockerignore', async () => {
    const dir = await tree({ 'ctx/app.js': 'x', 'ctx/.dockerignore': 'secret\n', 'elsewhere/Dockerfile': 'FROM busybox:local\nCOPY . /app\n' });
    dirs.push(dir);
    const outside = await contextArchive({ context: join(dir, 'ctx'), dockerfile: join(dir, 'elsewhere/Dockerfile') });
    expect(outside.dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{12}$/);
    const a = await untar(outside.stream);
    expect(a.entries.get(outside.dockerfile)!.content).toBe('FROM busybox:local\nCOPY . /app\n');
    expect(a.entries.get('.dockerignore')!.content).toBe(`secret\n\n${outside.dockerfile}\n`);

    const inline1 = await contextArchive({ context: join(dir, 'ctx'), dockerfile: 'Dockerfile', dockerfileInline: 'FROM busybox:local\n' });
    const inline2 = await contextArchive({ context: join(dir, 'ctx'), dockerfile: 'Dockerfile', dockerfileInline: 'FROM busybox:local\n' });
    const [b1, b2] = [await untar(inline1.stream), await untar(inline2.stream)];
    expect(b1.entries.get(inline1.dockerfile)!.content).toBe('FROM busybox:local\n');
    // the same inputs give the same archive, so the engine's build cache can hit
    expect(inline2.dockerfile).toBe(inline1.dockerfile);
    expect(b2.bytes).toBe(b1.bytes);
  });

  describe('a context holding a 200 MB ignored node_modules', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await tree({ 'Dockerfile': 'FROM busybox:local\nCOPY . /app\n', '.dockerignore': 'node_modules\n', 'index.js': 'console.log(1)\n' });
      dirs.push(dir);
      // sparse files: 200 MB that cost nothing to make, and that would cost 200 MB to send
      for (let i = 0; i < 4; i++) {
        await mkdir(join(dir, 'node_modules', `pkg${i}`), { recursive: true });
        await writeFile(join(dir, 'node_modules', `pkg${i}`, 'blob.bin'), '');
        await truncate(join(dir, 'node_modules', `pkg${i}`, 'blob.bin'), 50 * 1024 * 1024);
      }
    });

    it('sends a few kilobytes', async () => {
      const started = Date.now();
      const archive = await contextArchive({ context: dir, dockerfile: 'Dockerfile' });
      const { bytes, entries } = await untar(archive.stream);
      expect([...entries.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'index.js']);
      expect(bytes).toBeLessThan(16 * 1024);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
