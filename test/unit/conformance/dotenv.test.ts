// dotenv/dotenv.json from the corpus: the .env dialect.

import path from 'node:path';
import { expect } from 'vitest';
import { expandDotenvValue, parseDotenv, parseDotenvTexts, readDotenvFiles } from '../../../src/config/dotenv.js';
import { CORPUS_DIR, conformanceFamily, family } from './corpus.js';

interface DotenvCase {
  id: string;
  kind: 'parse' | 'read_file' | 'read_files_inline' | 'expand_value';
  input?: string;
  files?: string[];
  inputs?: string[];
  value?: string;
  vars?: Record<string, string>;
  lookup: Record<string, string>;
  expected?: Record<string, string> | string;
  error?: { contains?: string; equals?: string };
  match?: 'exact' | 'subset';
}


function run(c: DotenvCase): unknown {
  const lookup = (name: string) => (Object.hasOwn(c.lookup, name) ? c.lookup[name] : undefined);
  switch (c.kind) {
    case 'parse':
      return parseDotenv(c.input!, { lookup });
    case 'read_file':
      return readDotenvFiles(c.files!.map((f) => path.join(CORPUS_DIR, 'dotenv', f)), lookup);
    case 'read_files_inline':
      return parseDotenvTexts(c.inputs!.map((text, i) => ({ file: `inline${i}.env`, text })), lookup);
    case 'expand_value':
      return expandDotenvValue(c.value!, c.vars ?? {}, lookup);
  }
}

conformanceFamily('dotenv', (caseIt) => {
  for (const c of family<DotenvCase>('dotenv/dotenv.json')) {
    caseIt(c.id, `${c.id} ${c.kind}`, () => {
      if (c.error) {
        const text = c.error.equals ?? c.error.contains;
        // "" means any error
        if (text) expect(() => run(c)).toThrow(text);
        else expect(() => run(c)).toThrow();
        return;
      }
      const got = run(c);
      if (typeof c.expected === 'string' || c.match === 'exact') expect(got).toEqual(c.expected);
      else expect(got).toMatchObject(c.expected!);
    });
  }
});
