// Access to the shared conformance corpus (../shared/conformance beside the repo). Tests skip when it
// is absent so a bare clone still passes; CI has it.

import { existsSync, readFileSync } from 'node:fs';
import { it } from 'vitest';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../../../../../shared/conformance/', import.meta.url));
export const HAS_CORPUS = existsSync(CORPUS_DIR);

export function readCorpus<T>(relative: string): T {
  return JSON.parse(readFileSync(CORPUS_DIR + relative, 'utf8')) as T;
}

/** Reads a case family, or an empty one when the corpus is absent. */
export function family<T>(relative: string, key = 'cases'): T[] {
  if (!HAS_CORPUS) return [];
  return (readCorpus<Record<string, unknown>>(relative)[key] as T[] | undefined) ?? [];
}

/** Cases we know we fail, each with the reason; the test asserts they still fail, so fixes get noticed. */
export type KnownGaps = Readonly<Record<string, string>>;

/** One `it` per case; a known gap is an `it.fails`, so it turns red when it starts passing. */
export function caseIt(id: string, title: string, gaps: KnownGaps, fn: () => void | Promise<void>): void {
  if (id in gaps) it.fails(`${title} (known gap: ${gaps[id]})`, fn);
  else it(title, fn);
}
