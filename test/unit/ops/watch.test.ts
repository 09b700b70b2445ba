// develop.watch's pure parts: rule matching (include, ignore, .dockerignore, editors' files, targets), the
// batch tar (modes, owners, deletes, directories walked), and the kernel watcher's batching.
import { chmod, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/index.js';
import { numericOwner, packBatch } from '../../../src/ops/file-sync.js';
import { TreeWatcher } from '../../../src/ops/file-watch.js';
import { watchRules } from '../../../src/ops/watch-rules.js';

async function projectWith(yaml: string, files: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-watch-'));
  await writeFile(join(dir, 'compose.yaml'), yaml);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return { dir, project: await loadProject({ cwd: dir, projectName: 'p', env: {} }) };
}

describe('watch rules', () => {
  it('matches below the path, applies ignore, include, .dockerignore and editor files, maps to target', async () => {
    const { dir, project } = await projectWith(
      `
services:
  web:
    build: .
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app/src
          ignore: ["*.log", "gen/"]
          include: ["*.js", "*.log", "lib"]
        - path: ./package.json
          action: rebuild
`,
      { '.dockerignore': '# comment\nnode_modules\nsrc/secret.js\n', 'src/x.js': '' },
    );
    const [sync, rebuild] = watchRules(project);
    const p = (rel: string) => join(dir, rel);
    expect(sync.path).toBe(p('src'));
    expect(sync.matches(p('src/a.js'))).toBe(true);
    expect(sync.matches(p('src/lib/deep.txt')), 'include names a parent').toBe(true);
    expect(sync.matches(p('src/a.txt')), 'not included').toBe(false);
    expect(sync.matches(p('src/a.log')), 'ignored').toBe(false);
    expect(sync.matches(p('src/gen/a.js')), 'under an ignored directory').toBe(false);
    expect(sync.matches(p('src/secret.js')), '.dockerignore of the build context').toBe(false);
    expect(sync.matches(p('src/.a.js.swp')), 'vim swap file').toBe(false);
    expect(sync.matches(p('src/a.js~')), 'backup file').toBe(false);
    expect(sync.matches(p('src/.git/HEAD'))).toBe(false);
    expect(sync.matches(p('srcx/a.js')), 'a sibling with the same prefix').toBe(false);
    expect(sync.containerPath(p('src/lib/a.js'))).toBe('/app/src/lib/a.js');
    expect(rebuild.matches(p('package.json'))).toBe(true);
    expect(rebuild.matches(p('package.json.bak'))).toBe(false);
    expect(sync.prunes(p('src/gen'))).toBe(true);
    expect(sync.prunes(p('src/lib'))).toBe(false);
    expect(sync.prunes(p('other')), 'outside the rule').toBe(true);
    expect(sync.prunes(dir), 'an ancestor of the rule').toBe(false);
  });

  it('a "*" in .dockerignore keeps only its exceptions (compose), no build section needs no .dockerignore', async () => {
    const { dir, project } = await projectWith(
      `
services:
  a:
    build: .
    develop: { watch: [{ action: sync, path: ., target: /app }] }
  b:
    image: busybox
    develop: { watch: [{ action: sync, path: ., target: /app, x-initialSync: true }] }
`,
      { '.dockerignore': '*\n!src\n' },
    );
    const [a, b] = watchRules(project);
    expect(a.matches(join(dir, 'anything.txt'))).toBe(true);
    expect(b.initialSync, 'x-initialSync is read as initial_sync').toBe(true);
    expect(a.initialSync).toBe(false);
  });

  it('refuses rebuild without build, sync without target, sync+exec without command', async () => {
    const bad = async (rule: string) => watchRules((await projectWith(`services:\n  s:\n    image: busybox\n    develop: { watch: [${rule}] }\n`)).project);
    await expect(bad('{ action: rebuild, path: . }')).rejects.toThrow(/without a build context/);
    await expect(bad('{ action: sync, path: . }')).rejects.toThrow(/target is required|needs a target/);
    await expect(bad('{ action: sync+exec, path: ., target: /a, exec: { command: [] } }')).rejects.toThrow(/without a command/);
  });

  it('sync+exec: a string command is split into words, as compose-go loads it; environment list form', async () => {
    const { project } = await projectWith(`
services:
  s:
    image: busybox
    develop:
      watch:
        - action: sync+exec
          path: .
          target: /a
          exec: { command: "echo hi", user: root, working_dir: /a, privileged: true, environment: ["A=1"] }
`);
    expect(watchRules(project)[0].exec).toEqual({ command: ['echo', 'hi'], user: 'root', working_dir: '/a', privileged: true, environment: { A: '1' } });
  });
});

async function entries(tar: Buffer) {
  const out: Record<string, { type: string; mode: number; uid: number; body: string; linkname?: string | null }> = {};
  const x = extract();
  const done = (async () => {
    for await (const e of x) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      out[e.header.name] = { type: e.header.type!, mode: e.header.mode!, uid: e.header.uid!, body: Buffer.concat(chunks).toString(), linkname: e.header.linkname };
    }
  })();
  Readable.from([tar]).pipe(x);
  await done;
  return out;
}

describe('packBatch', () => {
  it('one tar for files, directories (walked) and links, with host modes and owners; missing paths are deletes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-pack-'));
    await mkdir(join(dir, 'd/sub'), { recursive: true });
    await writeFile(join(dir, 'a.sh'), 'run');
    await chmod(join(dir, 'a.sh'), 0o750);
    await writeFile(join(dir, 'd/sub/b.txt'), 'b');
    await writeFile(join(dir, 'd/skip.log'), 'no');
    await symlink('a.sh', join(dir, 'link'));
    const batch = await packBatch(
      [
        { hostPath: join(dir, 'a.sh'), containerPath: '/app/a.sh' },
        { hostPath: join(dir, 'd'), containerPath: '/app/d' },
        { hostPath: join(dir, 'link'), containerPath: '/app/link' },
        { hostPath: join(dir, 'gone.txt'), containerPath: '/app/gone.txt' },
      ],
      (p) => !p.endsWith('.log'),
    );
    expect(batch.deleted).toEqual(['/app/gone.txt']);
    const got = await entries(batch.tar!);
    expect(Object.keys(got).sort()).toEqual(['app/a.sh', 'app/d', 'app/d/sub', 'app/d/sub/b.txt', 'app/link']);
    expect(got['app/a.sh']).toMatchObject({ type: 'file', mode: 0o750, uid: process.getuid!(), body: 'run' });
    expect(got['app/d/sub/b.txt'].body).toBe('b');
    expect(got['app/link']).toMatchObject({ type: 'symlink', linkname: 'a.sh' });
    expect(batch.entries).toBe(5);
  });

  it('a numeric user owns the entries (the engine cannot resolve it), a named one is left to copyUIDGID', async () => {
    expect(numericOwner('1000:1001')).toEqual({ uid: 1000, gid: 1001 });
    expect(numericOwner('1000')).toEqual({ uid: 1000, gid: 0 });
    expect(numericOwner('node')).toBeUndefined();
    expect(numericOwner(undefined)).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'berth-pack-'));
    await writeFile(join(dir, 'a'), 'a');
    const got = await entries((await packBatch([{ hostPath: join(dir, 'a'), containerPath: '/a' }], undefined, { uid: 7, gid: 8 })).tar!);
    expect(got.a).toMatchObject({ uid: 7 });
  });

  it('nothing to copy: no tar', async () => {
    const batch = await packBatch([{ hostPath: '/nonexistent/x', containerPath: '/x' }]);
    expect(batch).toEqual({ tar: undefined, entries: 0, deleted: ['/x'] });
  });
});

describe('TreeWatcher', () => {
  it('a burst is one batch; new directories are watched; pruned directories are not entered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-tree-'));
    await mkdir(join(dir, 'node_modules/x'), { recursive: true });
    const batches: string[][] = [];
    const w = await TreeWatcher.start({ roots: [dir], quietMs: 100, prune: (d) => d.endsWith('node_modules'), onBatch: (b) => batches.push(b.sort()) });
    try {
      expect(w.size).toBe(1);
      await Promise.all(Array.from({ length: 200 }, (_, i) => writeFile(join(dir, `f${i}.txt`), 'x')));
      await writeFile(join(dir, 'node_modules/x/ignored.js'), 'x');
      await until(() => batches.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(batches).toHaveLength(1);
      expect(batches[0]).toHaveLength(200);

      await mkdir(join(dir, 'new'));
      await until(() => w.size === 2);
      await writeFile(join(dir, 'new/inner.txt'), 'x');
      await until(() => batches.flat().includes(join(dir, 'new/inner.txt')));

      await rename(join(dir, 'new'), join(dir, 'moved'));
      await until(() => batches.flat().includes(join(dir, 'moved')));
      await rm(join(dir, 'moved'), { recursive: true });
      await until(() => w.size === 1);
    } finally {
      w.close();
    }
  });
});

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
