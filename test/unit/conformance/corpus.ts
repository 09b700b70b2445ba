// Access to the shared conformance corpus (../shared/conformance beside the repo), the KNOWN-GAPS file and
// the per-family tally. Tests skip with a one-line notice when the corpus is absent, so a bare clone passes.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const GIVEN_DIR = fileURLToPath(new URL('../../../../shared/conformance/', import.meta.url));
export const HAS_CORPUS = existsSync(GIVEN_DIR);
// The real path: shared/ may be reached through a symlink, and compose-ref, run with a cwd but no $PWD, names
// directories by their real path; both tools must be shown the same one.
export const CORPUS_DIR = HAS_CORPUS ? `${realpathSync(GIVEN_DIR)}/` : GIVEN_DIR;
const GAPS_FILE = fileURLToPath(new URL('../../../KNOWN-GAPS', import.meta.url));

export function readCorpus<T>(relative: string): T {
  return JSON.parse(readFileSync(CORPUS_DIR + relative, 'utf8')) as T;
}

/** Reads a case list, or an empty one when the corpus is absent. */
export function family<T>(relative: string, key = 'cases'): T[] {
  if (!HAS_CORPUS) return [];
  return (readCorpus<Record<string, unknown>>(relative)[key] as T[] | undefined) ?? [];
}

/** KNOWN-GAPS: `<family>/<case id>: <reason>` lines; `#` comments. */
export function knownGaps(familyName: string): Readonly<Record<string, string>> {
  if (!existsSync(GAPS_FILE)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(GAPS_FILE, 'utf8').split('\n')) {
    const m = /^([\w.-]+)\/(\S+?):\s+(.+)$/.exec(line.trim());
    if (m && m[1] === familyName) out[m[2]] = m[3];
  }
  return out;
}

/**
 * One family: one `it` per case (a known gap is an `it.fails`, so it turns red once it passes), a summary
 * line `conformance <family>: passed/total`, and a check that at most 3% of the family is listed as gaps.
 */
export function conformanceFamily(name: string, define: (caseIt: (id: string, title: string, fn: () => void | Promise<void>) => void) => void): void {
  describe(`conformance: ${name}`, () => {
    if (!HAS_CORPUS) {
      it.skip(`corpus not found at ${CORPUS_DIR}: conformance family ${name} skipped`, () => {});
      return;
    }
    const gaps = knownGaps(name);
    const ids: string[] = [];
    let passed = 0;
    define((id, title, fn) => {
      ids.push(id);
      const run = async () => {
        await fn();
        passed++;
      };
      if (id in gaps) it.fails(`${title} (known gap: ${gaps[id]})`, run);
      else it(title, run);
    });
    it(`${name}: known gaps are at most 3% of the family and name existing cases`, () => {
      for (const id of Object.keys(gaps)) expect(ids, `KNOWN-GAPS lists ${name}/${id}, not a case`).toContain(id);
      expect(Object.keys(gaps).length).toBeLessThanOrEqual(Math.floor(ids.length * 0.03));
    });
    afterAll(() => {
      console.log(`conformance ${name}: ${passed}/${ids.length} passed (${Object.keys(gaps).length} listed in KNOWN-GAPS)`);
    });
  });
}
