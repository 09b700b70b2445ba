// Issue 16 item 6: `berth config` agrees with `compose-ref config` on real-world compose files. Every project
// under fixtures/real-world/ (and each argument variant listed in its variants.json) runs through both tools,
// YAML and JSON, in the same clean environment; the exit codes must be equal and stdout byte-for-byte equal
// after ALLOWED_DIFFERENCES, the short list of places where compose-ref (2.26.1) is older than the Compose
// Specification and berth follows the newer compose (the conformance corpus). Warnings on stderr are not
// compared (compose-ref writes logrus lines), nor error texts (berth names file:line:col), only that both fail.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { berthBin, repoRoot, run, type RunResult } from '../helpers/e2e.js';

const ROOT = join(repoRoot, 'fixtures', 'real-world');
const NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const VARIANTS = JSON.parse(readFileSync(join(ROOT, 'variants.json'), 'utf8')) as Record<string, string[][]>;

/**
 * Where berth prints the newer compose's form on purpose, each rewriting compose-ref's output into it.
 * - file-mode: secrets/configs `mode` is an octal string in the newer compose-go ("0400", its FileMode type;
 *   corpus full-example/expected.*); compose-ref 2.26 prints the number in decimal (256).
 */
const ALLOWED_DIFFERENCES: readonly { readonly id: string; readonly yaml: (s: string) => string; readonly json: (s: string) => string }[] = [
  {
    id: 'file-mode',
    // only a file reference's mode (source, target, uid, gid, mode in that order), not a tmpfs mode
    yaml: (s) => s.replace(/(- source: [^\n]+\n(?: +(?:target|uid|gid): [^\n]+\n)* +mode: )(\d+)$/gm, (_, k: string, n: string) => `${k}"0${Number(n).toString(8)}"`),
    json: (s) => s.replace(/("source": [^\n]+\n(?: +"(?:target|uid|gid)": [^\n]+\n)* +"mode": )(\d+)/g, (_, k: string, n: string) => `${k}"0${Number(n).toString(8)}"`),
  },
];

function projects(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir);
    if (entries.some((e) => NAMES.includes(e))) out.push(dir);
    else for (const e of entries) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e));
  };
  walk(ROOT);
  return out.sort();
}

// the same few variables for both tools, nothing of the test runner's environment (DOMAIN, TZ, COMPOSE_*...)
const cleanEnv = ['env', '-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'HOME=/home/berth'];
const composeRefConfig = (cwd: string, args: string[]): Promise<RunResult> => run(cleanEnv[0], [...cleanEnv.slice(1), 'compose-ref', ...args], { cwd });
const berthConfig = (cwd: string, args: string[]): Promise<RunResult> => run(cleanEnv[0], [...cleanEnv.slice(1), process.execPath, berthBin, ...args], { cwd });

describe('config differential on real-world compose files', () => {
  let composeRefAvailable = false;
  beforeAll(async () => {
    composeRefAvailable = (await run('compose-ref', ['version']).catch(() => ({ code: 1 }))).code === 0;
    // in CI a missing prerequisite fails; elsewhere the test says why it skips
    if (process.env.CI) expect(composeRefAvailable, 'compose-ref is not installed (bash scripts/setup-test-env.sh)').toBe(true);
  });

  it('has the real-world projects', () => {
    expect(projects().length).toBeGreaterThanOrEqual(9);
  });

  for (const dir of projects()) {
    const name = relative(ROOT, dir);
    for (const variant of [[], ...(VARIANTS[name] ?? [])]) {
      for (const format of ['yaml', 'json'] as const) {
        it(`${name}${variant.length ? ` ${variant.join(' ')}` : ''} --format ${format}`, async (ctx) => {
          if (!composeRefAvailable) ctx.skip(true, 'compose-ref is not installed (bash scripts/setup-test-env.sh)');
          const args = [...variant, 'config', '--format', format];
          const [ref, mine] = await Promise.all([composeRefConfig(dir, args), berthConfig(dir, args)]);
          expect(mine.code, `berth: ${mine.stderr}\ncompose-ref: ${ref.stderr}`).toBe(ref.code);
          if (ref.code !== 0) {
            // both refused: berth's one line names the file
            expect(mine.stderr.trim().split('\n')).toHaveLength(1);
            expect(mine.stderr).toContain(dir);
            return;
          }
          const expected = ALLOWED_DIFFERENCES.reduce((s, d) => d[format](s), ref.stdout);
          expect(mine.stdout).toBe(expected);
          expect(mine.stdout.length).toBeGreaterThan(50);
        });
      }
    }
  }

  it('every allowed difference is still needed (one that no project shows is removed from the list)', async (ctx) => {
    if (!composeRefAvailable) ctx.skip(true, 'compose-ref is not installed');
    const used = new Set<string>();
    for (const dir of projects()) {
      for (const format of ['yaml', 'json'] as const) {
        const ref = await composeRefConfig(dir, ['config', '--format', format]);
        if (ref.code !== 0) continue;
        for (const d of ALLOWED_DIFFERENCES) if (d[format](ref.stdout) !== ref.stdout) used.add(d.id);
      }
    }
    expect([...used].sort()).toEqual(ALLOWED_DIFFERENCES.map((d) => d.id).sort());
  });
});

// The list forms of `config`. compose prints --profiles and --hash sorted by name; --services dependencies
// first but otherwise in Go map order (it varies from run to run), so there the same names are required and
// berth's order is checked against the dependencies compose-ref itself reports; --volumes and --images are
// map order in compose: the same lines, in any order.
describe('config list forms on real-world compose files', () => {
  let composeRefAvailable = false;
  beforeAll(async () => {
    composeRefAvailable = (await run('compose-ref', ['version']).catch(() => ({ code: 1 }))).code === 0;
    if (process.env.CI) expect(composeRefAvailable, 'compose-ref is not installed (bash scripts/setup-test-env.sh)').toBe(true);
  });
  const lines = (r: RunResult) => r.stdout.split('\n').filter(Boolean);

  for (const dir of projects()) {
    const name = relative(ROOT, dir);
    const variant = VARIANTS[name]?.at(-1) ?? [];
    it(`${name}${variant.length ? ` ${variant.join(' ')}` : ''}: --services, --profiles, --hash, --volumes, --images`, async (ctx) => {
      if (!composeRefAvailable) ctx.skip(true, 'compose-ref is not installed (bash scripts/setup-test-env.sh)');
      const model = await composeRefConfig(dir, [...variant, 'config', '--format', 'json']);
      if (model.code !== 0) {
        // a project compose-ref refuses: berth refuses the list forms too
        for (const flag of ['--services', '--profiles', '--volumes', '--images']) expect((await berthConfig(dir, [...variant, 'config', flag])).code, flag).not.toBe(0);
        return;
      }
      const services = JSON.parse(model.stdout).services as Record<string, { depends_on?: Record<string, unknown> }>;
      const byName = Object.keys(services).sort();

      const [refServices, myServices] = await Promise.all([composeRefConfig(dir, [...variant, 'config', '--services']), berthConfig(dir, [...variant, 'config', '--services'])]);
      expect(myServices.code, myServices.stderr).toBe(0);
      expect([...lines(myServices)].sort()).toEqual([...lines(refServices)].sort());
      const at = new Map(lines(myServices).map((n, i) => [n, i]));
      for (const [n, s] of Object.entries(services)) for (const d of Object.keys(s.depends_on ?? {})) if (at.has(d)) expect(at.get(d)!, `${d} before ${n}`).toBeLessThan(at.get(n)!);

      // --hash: the names and their order (the values follow the newer compose where 2.26 differs: the
      // environment resolved, as 2.26's own `up` labels containers, and file modes; test/unit/config covers them)
      const reversed = [...byName].reverse().slice(0, 3).join(',');
      for (const args of [['--profiles'], ['--hash', '*'], ['--hash', reversed]]) {
        const [ref, mine] = await Promise.all([composeRefConfig(dir, [...variant, 'config', ...args]), berthConfig(dir, [...variant, 'config', ...args])]);
        expect(mine.code, `${args.join(' ')}: ${mine.stderr}`).toBe(ref.code);
        const names = (r: RunResult) => (args[0] === '--hash' ? lines(r).map((l) => l.split(' ')[0]) : lines(r));
        expect(names(mine), args.join(' ')).toEqual(names(ref));
      }
      // (--networks is newer than compose-ref 2.26, which refuses it)
      for (const flag of ['--volumes', '--images']) {
        const [ref, mine] = await Promise.all([composeRefConfig(dir, [...variant, 'config', flag]), berthConfig(dir, [...variant, 'config', flag])]);
        expect(mine.code, `${flag}: ${mine.stderr}`).toBe(ref.code);
        expect(lines(mine).sort(), flag).toEqual(lines(ref).sort());
      }
    });
  }
});

// the corpus README documents where its newer expectations come from
if (!existsSync(ROOT)) throw new Error(`missing ${ROOT}`);
