// Every file-system read of the loader goes through here, so that a load can list what it depended on:
// recordFileFacts() returns, with the loaded project, each answer the file system gave (a file's text, whether
// a path exists or is a file). The project cache (api/project-cache.ts) reuses a project only while every
// one of those answers is still the same, so a read that bypassed this module would make it serve a stale
// project: keep all of the loader's I/O here.
import { existsSync, readFileSync, statSync } from 'node:fs';

export type FileFact =
  | { readonly kind: 'text'; readonly path: string; readonly value: string }
  | { readonly kind: 'exists' | 'isFile'; readonly path: string; readonly value: boolean };

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
  }
}
