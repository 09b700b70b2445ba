// Every file-system read of the loader goes through here, so that a load can list what it depended on:
// recordFileFacts() returns, with the loaded project, each answer the file system gave (a file's text, whether
// a path exists or is a file). The project cache (api/project-cache.ts) reuses a project only while every
// one of those answers is still the same, so a read that bypassed this module would make it serve a stale
// project: keep all of the loader's I/O here.
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';

export type FileFact =
  | { readonly kind: 'text'; readonly path: string; readonly value: string }
  | { readonly kind: 'exists' | 'isFile' | 'isSymlink'; readonly path: string; readonly value: boolean }
  /** '' when the path could not be resolved. */
  | { readonly kind: 'realpath'; readonly path: string; readonly value: string };

let recording: FileFact[] | undefined;

/** Runs a (synchronous) load and collects the file-system answers it was given. */
export function recordFileFacts<T>(load: () => T): { result: T; facts: FileFact[] } {
  const outer = recording;
  const facts: FileFact[] = [];
  recording = facts;
  try {
    return { result: load(), facts };
  } finally {
    recording = outer;
  }
}

/** A file's text (UTF-8); throws as readFileSync does. */
export function readText(path: string): string {
  const value = readFileSync(path, 'utf8');
  recording?.push({ kind: 'text', path, value });
  return value;
}

export function pathExists(path: string): boolean {
  const value = existsSync(path);
  recording?.push({ kind: 'exists', path, value });
  return value;
}

/** An existing regular file (or a link to one). */
export function isFile(path: string): boolean {
  const value = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  recording?.push({ kind: 'isFile', path, value });
  return value;
}

const lstatLink = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
const realOrEmpty = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return '';
  }
};

/** The path itself is a symbolic link (not followed). */
export function isSymlink(path: string): boolean {
  const value = lstatLink(path);
  recording?.push({ kind: 'isSymlink', path, value });
  return value;
}

/** The path with every link resolved, or undefined when that fails (a dangling link). */
export function realPath(path: string): string | undefined {
  const value = realOrEmpty(path);
  recording?.push({ kind: 'realpath', path, value });
  return value || undefined;
}

/** Whether the file system still gives the answer recorded in `fact`. */
export function factHolds(fact: FileFact): boolean {
  switch (fact.kind) {
    case 'text':
      try {
        return readFileSync(fact.path, 'utf8') === fact.value;
      } catch {
        return false;
      }
    case 'exists':
      return existsSync(fact.path) === fact.value;
    case 'isFile':
      return (statSync(fact.path, { throwIfNoEntry: false })?.isFile() ?? false) === fact.value;
    case 'isSymlink':
      return lstatLink(fact.path) === fact.value;
    case 'realpath':
      return realOrEmpty(fact.path) === fact.value;
  }
}
