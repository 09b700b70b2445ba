// merge/ and normalize/: berth's merge and normalization stages on raw compose trees.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { normalizeModel } from '../../../src/config/defaults.js';
import { enforceUnicity, mergeModels } from '../../../src/config/merge.js';
import { CORPUS_DIR, HAS_CORPUS, conformanceFamily } from './corpus.js';

const dirs = (family: string) => (HAS_CORPUS ? readdirSync(`${CORPUS_DIR}${family}`).sort() : []);
const yaml = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

conformanceFamily('merge', (caseIt) => {
  for (const name of dirs('merge')) {
    const dir = `${CORPUS_DIR}merge/${name}`;
    caseIt(name, name, () => {
      const expected = yaml(`${dir}/expected.yaml`);
      if (existsSync(`${dir}/input.yaml`)) {
        expect(enforceUnicity(yaml(`${dir}/input.yaml`))).toEqual(expected);
        return;
      }
      const merged = mergeModels(yaml(`${dir}/base.yaml`), yaml(`${dir}/override.yaml`));
      const op = (JSON.parse(readFileSync(`${dir}/case.json`, 'utf8')) as { operation: string }).operation;
      expect(op.includes('unicity') ? enforceUnicity(merged) : merged).toEqual(expected);
    });
  }
});

conformanceFamily('normalize', (caseIt) => {
  for (const name of dirs('normalize')) {
    const dir = `${CORPUS_DIR}normalize/${name}`;
    caseIt(name, name, () => {
      const env = (JSON.parse(readFileSync(`${dir}/case.json`, 'utf8')) as { environment?: Record<string, string> }).environment ?? {};
      expect(normalizeModel(yaml(`${dir}/input.yaml`), env)).toEqual(yaml(`${dir}/expected.yaml`));
    });
  }
});
