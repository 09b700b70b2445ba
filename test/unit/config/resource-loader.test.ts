// The config pipeline reads through the ResourceLoader it is given, and only through it: a project loads
// from files that exist nowhere but in memory, includes, extends, env files and label files included, and a
// recording loader lists every answer the load depended on.
import { describe, expect, it } from 'vitest';
import { loadProjectSync } from '../../../src/config/index.js';
import { recordingResources, type ResourceLoader } from '../../../src/config/files.js';

function memoryResources(files: Record<string, string>): ResourceLoader & { readonly read: string[] } {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) for (let d = f.slice(0, f.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d);
  const read: string[] = [];
  return {
    read,
    readText(path) {
      read.push(path);
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    pathExists: (path) => path in files || dirs.has(path),
    isFile: (path) => path in files,
    isSymlink: () => false,
    realPath: (path) => path,
  };
}

const root = '/nowhere-on-disk/p';
const files = {
  [`${root}/compose.yaml`]: [
    'include: [inc/compose.yaml]',
    'services:',
    '  web:',
    '    extends: {file: base.yaml, service: base}',
    '    image: ${IMAGE}',
    '    env_file: web.env',
    '    label_file: web.labels',
  ].join('\n'),
  [`${root}/.env`]: 'IMAGE=busybox:local\n',
  [`${root}/base.yaml`]: 'services:\n  base:\n    command: [sleep, "60"]\n',
  [`${root}/web.env`]: 'FROM_ENV_FILE=yes\n',
  [`${root}/web.labels`]: 'from.label.file=yes\n',
  [`${root}/inc/compose.yaml`]: 'services:\n  db:\n    image: busybox:${DB_TAG}\n',
  [`${root}/inc/.env`]: 'DB_TAG=local\n',
};

describe('the resource loader', () => {
  it('a project loads from memory alone: include, extends, .env, env_file and label_file all read through it', () => {
    const resources = memoryResources(files);
    const project = loadProjectSync({ cwd: root, env: {}, resources });
    expect(project.services.web).toMatchObject({
      image: 'busybox:local',
      command: ['sleep', '60'],
      environment: { FROM_ENV_FILE: 'yes' },
      labels: { 'from.label.file': 'yes' },
    });
    expect(project.services.db.image).toBe('busybox:local');
    expect(new Set(resources.read)).toEqual(new Set(Object.keys(files)));
  });

  it('a recording loader keeps each answer: the texts read and the existence checks, misses included', () => {
    const resources = recordingResources(memoryResources(files));
    loadProjectSync({ cwd: root, env: {}, resources });
    const texts = resources.facts.filter((f) => f.kind === 'text').map((f) => f.path);
    expect(new Set(texts)).toEqual(new Set(Object.keys(files)));
    // a compose.override.yaml that does not exist yet is a fact too: creating it must invalidate a cache entry
    expect(resources.facts).toContainEqual({ kind: 'isFile', path: `${root}/compose.override.yaml`, value: false });
  });
});
