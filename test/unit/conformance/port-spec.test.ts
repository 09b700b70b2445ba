// port-spec/port-spec.json from the corpus: short port syntax → long syntax.

import { expect } from 'vitest';
import { parsePortSpec } from '../../../src/config/short-syntax.js';
import { loadProject, projectToConfigObject, serializeConfig } from '../../../src/config/index.js';
import { conformanceFamily, family } from './corpus.js';
import { withComposeDir } from '../config/helpers.js';

interface PortCase {
  id: string;
  spec: string;
  expected?: Record<string, unknown>[];
  error?: { equals: string };
}
interface TransformCase {
  id: string;
  input: unknown;
  ignore_parse_error: boolean;
  expected: unknown;
}
interface LoadCase {
  id: string;
  compose: string;
  path: string;
  expected: unknown[];
}


const byTarget = (a: { target?: unknown }, b: { target?: unknown }) => Number(a.target) - Number(b.target);

conformanceFamily('port-spec', (caseIt) => {
  for (const c of family<PortCase>('port-spec/port-spec.json')) {
    caseIt(c.id, `${c.id} ${JSON.stringify(c.spec)}`, () => {
      if (c.error) {
        expect(() => parsePortSpec(c.spec)).toThrow(c.error.equals);
        return;
      }
      // order "any": compare as multisets
      expect([...parsePortSpec(c.spec)].sort(byTarget)).toEqual([...c.expected!].sort(byTarget));
    });
  }

  // transform cases go through the loader: a one-service file with these ports
  for (const c of family<TransformCase>('port-spec/port-spec.json', 'transform_cases')) {
    caseIt(c.id, c.id, async () => {
      const single = !Array.isArray(c.input);
      const ports = single ? [c.input] : c.input;
      const yaml = `services:\n  s:\n    image: x\n    ports: ${JSON.stringify(ports)}\n`;
      const got = await withComposeDir({ 'compose.yaml': yaml }, async (dir) =>
        JSON.parse(serializeConfig(await loadProject({ cwd: dir, env: {}, interpolate: !c.ignore_parse_error }), 'json', { escape: !c.ignore_parse_error })) as Record<string, unknown>,
      );
      const printed = (got.services as Record<string, { ports: unknown[] }>).s.ports;
      const expected = single ? [{ ...(c.expected as object), published: String((c.expected as { published: unknown }).published) }] : c.expected;
      expect(printed).toEqual(expected);
    });
  }

  for (const c of family<LoadCase>('port-spec/port-spec.json', 'load_cases')) {
    caseIt(c.id, c.id, async () => {
      const got = await withComposeDir({ 'compose.yaml': c.compose }, async (dir) =>
        projectToConfigObject(await loadProject({ cwd: dir, env: {} })),
      );
      const [, svc, key] = c.path.split('.');
      expect((got.services as Record<string, Record<string, unknown>>)[svc][key]).toEqual(c.expected);
    });
  }
});
