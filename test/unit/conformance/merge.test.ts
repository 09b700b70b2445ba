// merge/: berth's merge stage on raw compose trees; normalize/: berth's loader, which normalizes as it loads.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { loadProjectSync } from '../../../src/config/index.js';
import type { Project } from '../../../src/model/types.js';
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

// compose-go's normalize stage has no counterpart of its own in berth: normalization happens inside the load
// (defaults.ts, canonical.ts). So each case runs berth's real loader twice, on the input and on compose-go's
// expected output: normalizing the input must give exactly the project the already-normal expected gives
// (a default berth failed to add, or added differently, makes the two differ).
/**
 * compose 2.26.1, berth's reference, leaves `restart: false` off the dependencies it adds implicitly
 * (volumes_from, network_mode: service:) and prints it when written; compose-go's newer normalize writes it on
 * both. Absent and false mean the same to every command, so the comparison drops it on both sides.
 */
function sameMeaning(project: Project): Project {
  const services = Object.fromEntries(
    Object.entries(project.services).map(([name, svc]) => {
      const deps = svc.depends_on as Record<string, Record<string, unknown>> | undefined;
      if (!deps) return [name, svc];
      const kept = Object.fromEntries(Object.entries(deps).map(([dep, d]) => [dep, d.restart === false ? Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'restart')) : d]));
      return [name, { ...svc, depends_on: kept }];
    }),
  );
  return { ...project, services } as Project;
}

conformanceFamily('normalize', (caseIt) => {
  for (const name of dirs('normalize')) {
    const dir = `${CORPUS_DIR}normalize/${name}`;
    caseIt(name, name, () => {
      const env = (JSON.parse(readFileSync(`${dir}/case.json`, 'utf8')) as { environment?: Record<string, string> }).environment ?? {};
      const load = (content: string) =>
        loadProjectSync({ cwd: dir, env: { ...env }, dotenv: false, consistency: false, configFiles: [{ name: `${dir}/compose.yaml`, content }] });
      // compose-go's normalize ran on the name as written ("myProject"); a load (compose's and berth's) lowercases
      // the project name first, so the resource names derived from it are the lowercased ones
      const rawName = String(yaml(`${dir}/input.yaml`).name ?? '');
      const expected = readFileSync(`${dir}/expected.yaml`, 'utf8').replaceAll(`${rawName}_`, `${rawName.toLowerCase()}_`);
      expect(sameMeaning(load(readFileSync(`${dir}/input.yaml`, 'utf8')))).toEqual(sameMeaning(load(expected)));
    });
  }
});
