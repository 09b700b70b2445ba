// ops/ reads the typed canonical model without type assertions: ESLint's consistent-type-assertions rule
// (assertionStyle: never) is on for src/ops/** (eslint.config.js). An assertion may stay only at the engine
// boundary, disabled on its own line with a reason that says so. This test keeps both halves honest: the rule
// stays configured for ops, and every place that turns it off names the engine boundary.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const RULE = '@typescript-eslint/consistent-type-assertions';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Lines that switch the rule off, and whether each gives the engine-boundary reason. */
function disables(text: string): { line: number; text: string; reasoned: boolean }[] {
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.trim(), reasoned: /eslint-disable-next-line\s+@typescript-eslint\/consistent-type-assertions\s+--\s+engine boundary:\s*\S/.test(t) }))
    // a directive that names the rule, or one that names no rule at all (and so turns every rule off)
    .filter((l) => l.text.includes(RULE) || /eslint-disable(?:-next-line|-line)?\s*(?:\*\/)?$/.test(l.text));
}

describe('no type assertions in src/ops outside the engine boundary', () => {
  it('has the rule on for every file of src/ops', async () => {
    const eslint = new ESLint({ cwd: root });
    for (const file of ['src/ops/convert/request.ts', 'src/ops/stack/deploy.ts', 'src/ops/run.ts']) {
      const config = await eslint.calculateConfigForFile(join(root, file));
      expect(config.rules?.[RULE], file).toEqual([2, { assertionStyle: 'never' }]);
    }
  });

  it('turns the rule off only line by line, with the engine boundary as the reason', () => {
    const bad: string[] = [];
    let allowed = 0;
    for (const file of tsFiles(join(root, 'src/ops'))) {
      for (const d of disables(readFileSync(file, 'utf8'))) {
        if (d.reasoned) allowed++;
        else bad.push(`${file.slice(root.length)}:${d.line}: ${d.text}`);
      }
    }
    expect(bad).toEqual([]);
    // the one left today: the build context stream (ops/build-context.ts), typed by tar-fs's old typings
    expect(allowed).toBeLessThanOrEqual(1);
  });

  it('tells a reasoned disable from a bare one (the scan can fail)', () => {
    expect(disables(`// eslint-disable-next-line ${RULE} -- engine boundary: the request body`)[0].reasoned).toBe(true);
    expect(disables(`// eslint-disable-next-line ${RULE}`)[0].reasoned).toBe(false);
    expect(disables(`/* eslint-disable ${RULE} */`)[0].reasoned).toBe(false);
    expect(disables('/* eslint-disable */')[0].reasoned).toBe(false);
    expect(disables('// eslint-disable-next-line no-console')).toEqual([]);
  });
});
