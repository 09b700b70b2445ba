// Shared checks for the loader-level families: key-path assertions against the loaded model and the
// error-case criterion. Documented in docs/conformance.md.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ConfigError, ErrorCodes } from '../../../src/model/errors.js';

export interface Assertion {
  path: string;
  equals?: unknown;
  absent?: boolean;
  present?: boolean;
  length?: number;
  equals_or_absent?: unknown;
}

/** `services.web.ports[0].published` → the value in `tree`, or undefined. */
export function getPath(tree: unknown, keyPath: string): unknown {
  let cur: unknown = tree;
  for (const seg of keyPath.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = seg.startsWith('[') ? Number(seg.slice(1, -1)) : seg;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * The corpus writes values the way compose-go's Go model holds them; `config` prints a few of them
 * differently (byte sizes and published ports as strings, extra_hosts as `host=ip` lists, Go typed values
 * as descriptions like "0555 (octal file mode; decimal 365)"). Those representations compare as equal.
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'string') {
    const decimal = /\(.*decimal (\d+)\)/.exec(expected);
    if (decimal && typeof actual === 'number') return actual === Number(decimal[1]);
    const printsAs = /prints as (\S+?)\)/.exec(expected);
    if (printsAs && actual === printsAs[1]) return true;
    const lead = /^(\S+) \(/.exec(expected);
    if (lead && (actual === lead[1] || String(actual) === lead[1])) return true;
  }
  if (typeof expected === 'number' && typeof actual === 'string') return actual === String(expected);
  if (typeof expected === 'string' && typeof actual === 'number') return expected === String(actual);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => sameValue(actual[i], e));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === undefined && Object.keys(expected).length === 0) return true;
    if (Array.isArray(actual) && actual.every((x) => typeof x === 'string')) {
      const asMap: Record<string, string[]> = {};
      for (const item of actual as string[]) {
        const i = item.search(/[=:]/);
        (asMap[item.slice(0, i)] ??= []).push(item.slice(i + 1));
      }
      return sameValue(asMap, expected);
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    return [...keys].every((k) => (e[k] === undefined ? a[k] === undefined || isEmptyDefault(a[k]) : sameValue(a[k], e[k])));
  }
  return actual === expected;
}

// `config` prints `command: null` / `entrypoint: null` and empty `ipam: {}`; the Go model leaves them unset
function isEmptyDefault(v: unknown): boolean {
  return v === null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

export function checkAssertions(model: unknown, assertions: readonly Assertion[]): void {
  for (const a of assertions) {
    const got = getPath(model, a.path);
    if (a.absent) expect(got, a.path).toBeUndefined();
    if (a.present) expect(got, a.path).toBeDefined();
    if (a.length !== undefined) expect((got as unknown[] | undefined)?.length, a.path).toBe(a.length);
    if ('equals' in a) expect(sameValue(got, a.equals), `${a.path}: got ${JSON.stringify(got)}, want ${JSON.stringify(a.equals)}`).toBe(true);
    if ('equals_or_absent' in a && got !== undefined) {
      expect(sameValue(got, a.equals_or_absent), `${a.path}: got ${JSON.stringify(got)}`).toBe(true);
    }
  }
}

/**
 * Error cases: berth must reject the input. Its wording is its own (file:line:col key.path: message), so
 * the reference text is not required verbatim; when the reference message names a key path, berth's error
 * must name the same one (as its key path, or in its message); otherwise the reference text must appear.
 */
export function checkRejection(run: () => unknown, reference: { contains?: string; equals?: string } | undefined): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected the input to be rejected').toBeInstanceOf(Error);
  expectLocated(caught as Error);
  const text = reference?.equals ?? reference?.contains ?? '';
  if (!text) return;
  const message = (caught as Error).message;
  if (message.includes(text)) return;
  const wanted = referencePath(text);
  if (wanted === undefined) {
    expect(message).toContain(text);
    return;
  }
  const keyPath = caught instanceof ConfigError ? (caught.keyPath ?? '') : '';
  const ok = [keyPath, message].some((s) => s.includes(wanted)) || (keyPath !== '' && wanted.startsWith(keyPath) && keyPath.includes('.'));
  expect(ok, `reference names ${wanted}; berth said: ${message}`).toBe(true);
}

/**
 * Every rejection of a corpus input that comes from a file names file:line:col, and, when it is about a key,
 * the key path (issue 3). Project names given with -p, COMPOSE_PROJECT_NAME or a directory come from no file;
 * a YAML syntax error is about text, not a key.
 */
export function expectLocated(err: Error): void {
  expect(err, `not a ConfigError: ${err.message}`).toBeInstanceOf(ConfigError);
  const e = err as ConfigError;
  if (e.code === ErrorCodes.INVALID_PROJECT_NAME && !e.position) return;
  expect(e.position, `no file:line:col in: ${e.message}`).toBeDefined();
  expect(e.message.startsWith(`${e.position!.file}:${e.position!.line}:${e.position!.col}`), e.message).toBe(true);
  if (e.code !== ErrorCodes.YAML_SYNTAX) expect(e.keyPath, `no key path in: ${e.message}`).toBeTruthy();
}

/** The key path a compose error message is about (`services.foo.volumes.0.tmpfs.size` → `services.foo.volumes[0].tmpfs.size`). */
export function referencePath(text: string): string | undefined {
  const m = /\b((?:services|networks|volumes|secrets|configs|include|models|name)(?:\.[\w-]+|\[\d+\])*)/.exec(text);
  if (!m) return undefined;
  return m[1].replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/** Writes files into a fresh temporary directory and runs fn there. */
export function withDir<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-conf-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
