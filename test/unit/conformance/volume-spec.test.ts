// volume-spec/volume-spec.json from the corpus: short volume syntax → long syntax.

import { expect } from 'vitest';
import { parseVolumeSpec } from '../../../src/config/short-syntax.js';
import { conformanceFamily, family } from './corpus.js';

interface VolumeCase {
  id: string;
  spec: string;
  expected?: Record<string, unknown>;
  error?: { equals?: string; contains?: string };
  expect_success?: boolean;
  expected_has_source?: boolean;
}


conformanceFamily('volume-spec', (caseIt) => {
  for (const c of family<VolumeCase>('volume-spec/volume-spec.json')) {
    caseIt(c.id, `${c.id} ${JSON.stringify(c.spec)}`, () => {
      if (c.error) {
        expect(() => parseVolumeSpec(c.spec)).toThrow(c.error.equals ?? c.error.contains);
      } else if (c.expected_has_source !== undefined) {
        // split cases: only "has a source iff it splits into several parts" was asserted upstream
        let source: string | undefined;
        try {
          source = parseVolumeSpec(c.spec).source;
        } catch {
          source = undefined;
        }
        expect(Boolean(source)).toBe(c.expected_has_source);
      } else if (c.expect_success) {
        expect(() => parseVolumeSpec(c.spec)).not.toThrow();
      } else {
        expect(parseVolumeSpec(c.spec)).toEqual(c.expected);
      }
    });
  }
});
