// loader/: loader-cases.json, attribute-inputs.json and extends-cases.json, through berth's loader.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { loadProjectSync, loadYamlModel, type LoadOptions } from '../../../src/config/index.js';
import { CORPUS_DIR, conformanceFamily, family } from './corpus.js';
import { checkAssertions, checkRejection, sameValue, withDir, type Assertion } from './model.js';

interface CaseOptions {
  skipNormalization?: boolean;
  skipConsistencyCheck?: boolean;
  skipValidation?: boolean;
  resolvePaths?: boolean;
  stage?: string;
}
interface LoaderCase {
  id: string;
  files?: { name: string; content?: string; content_from?: string }[];
  compose?: string;
  env: Record<string, string>;
  options: CaseOptions;
  expected?: { success?: boolean; assert?: Assertion[]; warning_contains?: string; model?: unknown };
  error?: { contains?: string; equals?: string };
}

function options(c: LoaderCase, cwd: string): LoadOptions {
  const files = c.files
    ? c.files.map((f) => ({ name: f.name, content: f.content ?? readFileSync(`${CORPUS_DIR}loader/${f.content_from}`, 'utf8') }))
    : [{ name: 'compose.yml', content: c.compose! }];
  return {
    cwd,
    configFiles: files,
    env: c.env ?? {},
    dotenv: false,
    normalize: !c.options?.skipNormalization,
    consistency: !c.options?.skipConsistencyCheck,
    validate: !c.options?.skipValidation,
    resolvePaths: c.options?.resolvePaths !== false,
  };
}

function runCase(c: LoaderCase, cwd: string): void {
  const o = options(c, cwd);
  if (c.error) {
    checkRejection(() => (c.options?.stage === 'yaml-model' ? loadYamlModel(o) : loadProjectSync(o)), c.error);
    return;
  }
  if (c.options?.stage === 'yaml-model') {
    const model = loadYamlModel(o);
    expect(sameValue(model, c.expected!.model), JSON.stringify(model)).toBe(true);
    return;
  }
  const project = loadProjectSync(o);
  if (c.expected?.assert) checkAssertions(project, c.expected.assert);
  if (c.expected?.warning_contains) expect(project.meta.warnings.join('\n')).toContain(c.expected.warning_contains);
}

conformanceFamily('loader', (caseIt) => {
  for (const c of family<LoaderCase>('loader/loader-cases.json')) caseIt(c.id, `loader-cases ${c.id}`, () => withDir({}, (dir) => runCase(c, dir)));
  for (const c of family<LoaderCase>('loader/attribute-inputs.json')) caseIt(c.id, `attribute-inputs ${c.id}`, () => withDir({}, (dir) => runCase(c, dir)));
  for (const c of family<LoaderCase>('loader/extends-cases.json')) caseIt(c.id, `extends-cases ${c.id}`, () => runCase(c, `${CORPUS_DIR}loader`));
});
