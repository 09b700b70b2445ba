// Bad input as properties (issue 14): any byte string as a compose file, a .env file or an interpolation
// template gives either a project or one BerthError with a position — never another exception type, never
// more than 2 s or 300 MB for an input up to 1 MB — and named cases: an alias bomb, 10,000-deep nesting,
// cycles in include and in extends, `$(…)` and backticks kept literal and run.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadProjectSync, type LoadOptions } from '../../../src/config/index.js';
import { BerthError, ConfigError } from '../../../src/model/errors.js';
import type { Project } from '../../../src/model/types.js';

// each property runs hundreds of loads: ~1 s each on an idle machine, several times that on a busy runner
vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(path.join(tmpdir(), 'berth-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The bound is 2 s on an idle machine; tests run on shared, loaded runners, so they allow 5× that: enough to
// catch what matters (exponential blow-ups, hangs), not a benchmark. docs/reliability.md has measured figures.
const MAX_MS = 10_000;
const MAX_RSS_GROWTH = 300 * 1024 * 1024;
// the whole file is timed by its tests' sizes: a few hundred small cases and a handful of 1 MB ones
const RUNS = Number(process.env.BERTH_PROPERTY_RUNS ?? 300);

type Outcome = { project: Project } | { error: BerthError };

/**
 * Load with files written to a fresh directory; measure time and resident memory growth. A measurement over a
 * bound is taken again once and the smaller one kept: a blow-up repeats, while a stall of a loaded runner or
 * a heap growth V8 happened to make during this case does not (both were seen once each in ~20 runs under load).
 */
function load(files: Record<string, string | Uint8Array>, options: LoadOptions = {}): Outcome & { ms: number; rss: number } {
  const first = loadOnce(files, options);
  if (first.ms < MAX_MS && first.rss < MAX_RSS_GROWTH) return first;
  const again = loadOnce(files, options);
  return { ...first, ms: Math.min(first.ms, again.ms), rss: Math.min(first.rss, again.rss) };
}

function loadOnce(files: Record<string, string | Uint8Array>, options: LoadOptions): Outcome & { ms: number; rss: number } {
  const d = mkdtempSync(path.join(dir, 'case-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(d, name), content);
    const rss0 = process.memoryUsage.rss();
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = { project: loadProjectSync({ cwd: d, env: {}, projectName: 'props', ...options }) };
    } catch (err) {
      // anything that is not a BerthError fails the property, with its stack
      if (!(err instanceof BerthError)) throw err;
      out = { error: err };
    }
    return { ...out, ms: performance.now() - t0, rss: process.memoryUsage.rss() - rss0 };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** The property itself: a project, or one BerthError that says where; in bounded time and memory. */
function check(r: ReturnType<typeof load>, input: string | Uint8Array): void {
  const what = () => `input ${JSON.stringify(typeof input === 'string' ? input.slice(0, 200) : Buffer.from(input.slice(0, 200)).toString('latin1'))}`;
  expect(r.ms, what()).toBeLessThan(MAX_MS);
  expect(r.rss, what()).toBeLessThan(MAX_RSS_GROWTH);
  if ('error' in r) {
    const e = r.error;
    expect(e, what()).toBeInstanceOf(ConfigError);
    const pos = (e as ConfigError).position;
    expect(pos, `${what()} → ${e.message} has no position`).toBeDefined();
    expect(pos?.line, e.message).toBeGreaterThanOrEqual(1);
    expect(pos?.col, e.message).toBeGreaterThanOrEqual(1);
    // one error: one line
    expect(e.message.split('\n').length, e.message).toBe(1);
  }
}

// Fragments a compose file is made of, so random files get past the first character often enough to reach
// the later stages (interpolation, merge, schema, canonical forms).
const token = fc.constantFrom(
  'services:', '\n', '  ', '    ', 'web:', 'image: ', 'busybox', '- ', ':', '{', '}', '[', ']', ',', '&a ', '*a', '<<: ',
  '"', "'", '#', '${', '}', '$$', '${X:-', '${X:?', '|', '>', '!!binary ', '!reset ', '!override ', 'ports:', '80:80',
  'volumes:', 'networks:', 'depends_on:', 'environment:', 'extends:', 'include:', 'x-', '---\n', '...\n', '\t', '\u00e9',
  '\uFEFF', '\0', '\r\n', '1e400', '0x', '~', 'null', 'true', '%YAML 1.2\n', '? ', 'build: .', 'command: ', 'name: ',
);
const composeish = fc.array(token, { maxLength: 200 }).map((a) => a.join(''));
const bytes = fc.uint8Array({ maxLength: 2048 });

describe('any byte string as a compose file', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => check(load({ 'compose.yaml': b }), b)),
      { numRuns: RUNS },
    );
  });

  it('compose-like token soup', () => {
    fc.assert(
      fc.property(composeish, (s) => check(load({ 'compose.yaml': s }), s)),
      { numRuns: RUNS },
    );
  });

  it('a valid file with a random tail (mutations of the shape users write)', () => {
    const head = 'services:\n  web:\n    image: busybox\n    environment:\n      A: "1"\n';
    fc.assert(
      fc.property(composeish, (s) => check(load({ 'compose.yaml': head + s }), head + s)),
      { numRuns: RUNS },
    );
  });

  it('inputs up to 1 MB: bounded time and memory', () => {
    const big: (string | Uint8Array)[] = [
      new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24),
      'services:\n' + Array.from({ length: 20_000 }, (_, i) => `  s${i}:\n    image: busybox\n`).join('').slice(0, 1 << 20),
      // (1 MB of '[' is the named case below: it exhausts the heap today)
      '[a, '.repeat(1 << 16) + '1' + ']'.repeat(1 << 16),
      '{a: '.repeat(200_000),
      'x: "' + '${A}'.repeat(200_000) + '"\n',
      '#'.repeat(1 << 20),
    ];
    for (const b of big) check(load({ 'compose.yaml': b }), b);
  }, 60_000);
});

describe('any byte string as a .env file', () => {
  const compose = 'services:\n  web:\n    image: "busybox:${TAG:-latest}"\n    environment:\n      A: "${A:-}"\n      B: "${B-}"\n';
  it('random bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => check(load({ 'compose.yaml': compose, '.env': b }), b)),
      { numRuns: RUNS },
    );
  });

  const envish = fc
    .array(fc.constantFrom('A', 'B', 'TAG', '=', '"', "'", '\\', '\n', '${', '}', '$', ' ', '#', 'export ', ':-', ':?', '`', '$(', ')', '\t', 'x'), { maxLength: 100 })
    .map((a) => a.join(''));
  it('dotenv-like token soup', () => {
    fc.assert(
      fc.property(envish, (s) => check(load({ 'compose.yaml': compose, '.env': s }), s)),
      { numRuns: RUNS },
    );
  });
});

describe('.env errors say where', () => {
  it('file:line:1 of the bad line, in the project directory .env and in an include\'s', () => {
    const top = load({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n', '.env': 'A=1\nB=2\n$=3\n' });
    expect('error' in top && top.error.message).toMatch(/\.env:3:1: unexpected character "\$" in variable name "\$=3": fix the env file$/);
    const inc = load({ 'compose.yaml': 'include: [{ path: sub.yaml, env_file: inc.env }]\n', 'sub.yaml': 'services:\n  web:\n    image: busybox\n', 'inc.env': 'OK=1\nBAD KEY=2\n' });
    expect('error' in inc && inc.error).toBeInstanceOf(ConfigError);
    expect('error' in inc && (inc.error as ConfigError).position).toMatchObject({ line: 2, col: 1 });
  });
});

describe('any string as an interpolation template', () => {
  const template = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.array(fc.constantFrom('$', '{', '}', ':', '-', '?', '+', '=', 'A', 'B', '$$', '${', '${A', '${A:-', '${A:?', '${A?', '${A:+', 'x', ' ', '\\'), { maxLength: 40 }).map((a) => a.join('')),
  );
  it('in a value and in a key', () => {
    fc.assert(
      fc.property(template, (t) => {
        // JSON strings are YAML double-quoted scalars: the template reaches interpolation unchanged
        const q = JSON.stringify(t);
        const file = `services:\n  web:\n    image: busybox\n    environment:\n      A: "a"\n      X: ${q}\n    labels:\n      ${q}: "1"\n`;
        check(load({ 'compose.yaml': file }, { env: { A: 'set' } }), file);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('named bad inputs', () => {
  // fast-check's counterexample from a CI run (seed -1944667196): a !!binary key decodes to bytes with a newline,
  // which the message printed as they were, making a two-line error
  it('a !!binary key is refused in one line, with its position', () => {
    const s = 'services:\n  web:\n    image: busybox\n    environment:\n      A: "1"\n!!binary ${X:-networks:';
    const r = load({ 'compose.yaml': s });
    check(r, s);
    expect('error' in r && r.error.message).toMatch(/non-string key in top-level: !!binary \(\d+ bytes\): quote it/);
  });

  it('an alias bomb (billion laughs) is refused with a position, fast', () => {
    let s = 'x-a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) s += `x-a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    s += 'services:\n  web:\n    image: busybox\n    labels: { bomb: *a9 }\n';
    const r = load({ 'compose.yaml': s });
    check(r, s);
    expect('error' in r && r.error.message).toMatch(/too many nodes|alias/i);
  });

  it('10,000-deep nesting: a project or a positioned error, no stack overflow', () => {
    const flow = 'services:\n  web:\n    image: busybox\nx-deep: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n';
    check(load({ 'compose.yaml': flow }), flow);
    const block = 'services:\n  web:\n    image: busybox\nx-deep:\n' + Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n') + ' 1\n';
    check(load({ 'compose.yaml': block }), block);
    const maps = 'services:\n  web:\n    image: busybox\nx-deep: ' + '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n';
    check(load({ 'compose.yaml': maps }), maps);
  });

  it('a cycle in include: refused, naming the chain, with a position', () => {
    const r = load({
      'compose.yaml': 'include: [b.yaml]\nservices:\n  web:\n    image: busybox\n',
      'b.yaml': 'include: [c.yaml]\nservices:\n  b:\n    image: busybox\n',
      'c.yaml': 'include: [b.yaml]\nservices:\n  c:\n    image: busybox\n',
    });
    check(r, 'include cycle');
    expect('error' in r && r.error.message).toMatch(/include cycle.*b\.yaml.*c\.yaml.*b\.yaml/);
  });

  it('a cycle in extends, within a file and across files: refused, with a position', () => {
    const within = load({ 'compose.yaml': 'services:\n  a:\n    image: busybox\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n' });
    check(within, 'extends cycle');
    expect('error' in within && within.error.message).toMatch(/circular reference with extends/);
    const across = load({
      'compose.yaml': 'services:\n  a:\n    image: busybox\n    extends: { file: other.yaml, service: b }\n',
      'other.yaml': 'services:\n  b:\n    image: busybox\n    extends: { file: compose.yaml, service: a }\n',
    });
    check(across, 'extends cycle across files');
    expect('error' in across && across.error.message).toMatch(/circular reference with extends/);
  });

  it('$(…) and backticks stay literal and run nothing (compose file, .env, interpolation defaults)', () => {
    const marker = path.join(dir, 'ran-a-command');
    const sub = `$(touch ${marker})`;
    const tick = `\`touch ${marker}\``;
    const r = load({
      'compose.yaml': `services:\n  web:\n    image: busybox\n    command: ["echo", "${sub}", "${tick}"]\n    environment:\n      FROM_ENV: "\${E1}"\n      TICK: "\${E2}"\n      DEF: "\${UNSET:-${sub}}"\n`,
      '.env': `E1=${sub}\nE2=${tick}\nE3="${sub}"\n`,
    });
    expect(existsSync(marker)).toBe(false);
    expect('project' in r).toBe(true);
    if (!('project' in r)) return;
    const web = r.project.services.web;
    expect(web.command).toEqual(['echo', sub, tick]);
    expect(web.environment).toMatchObject({ FROM_ENV: sub, TICK: tick, DEF: sub });
  });
});

describe('defects found by this suite, not among issue 14\'s five (fixed by issue-14p)', () => {
  // Deep flow nesting used to reach the yaml library before any limit applied: 0.5 MB of '[' took ~1.6 s and
  // ~370 MB, 1 MB exhausted the heap and killed the process (compose: "yaml: exceeded max depth of 10000" in
  // 0.04 s). A depth check on the raw text (src/config/yaml-depth.ts) now refuses it before parsing.
  it('0.5 MB of nested flow sequences: refused within 2 s and 300 MB, naming the depth', () => {
    const s = '['.repeat(1 << 18) + ']'.repeat(1 << 18);
    const r = load({ 'compose.yaml': s });
    check(r, s);
    expect('error' in r && r.error.message).toMatch(/exceeded max depth of 10000/);
    expect('error' in r && (r.error as ConfigError).position).toMatchObject({ line: 1, col: 10_001 });
  }, 30_000);

  it('1 MB of nested flow maps and of nested block sequences: refused with a position, no crash', () => {
    const flow = 'services:\n  web:\n    image: busybox\nx-deep: ' + '{a: '.repeat(1 << 18) + '1' + '}'.repeat(1 << 18) + '\n';
    const r = load({ 'compose.yaml': flow });
    check(r, 'deep flow maps');
    expect('error' in r && r.error.message).toMatch(/exceeded max depth of 10000/);
    expect('error' in r && (r.error as ConfigError).position).toMatchObject({ line: 4 });
    // 10,001 block levels (the top-level mapping counts as one, as in compose), nested sequences on one line
    const block = 'x:\n  ' + '- '.repeat(10_000) + '1\n';
    const b = load({ 'compose.yaml': block });
    check(b, 'deep block sequences');
    expect('error' in b && b.error.message).toMatch(/exceeded max depth of 10000/);
    expect('error' in b && (b.error as ConfigError).position).toMatchObject({ line: 2, col: 20_001 });
    // and 1 MB of them
    const more = load({ 'compose.yaml': 'x:\n  ' + '- '.repeat(1 << 19) + '1\n' });
    check(more, '1 MB of block sequences');
    expect('error' in more && more.error.message).toMatch(/exceeded max depth of 10000/);
  }, 30_000);

  // compose loads 10,000 levels; berth passes them to the yaml library, whose recursion overflows the stack
  // first (a positioned "Maximum call stack size exceeded", docs/reliability.md): a known gap, not a crash
  it('the depth limit is compose\'s: 10,000 levels pass the check, 10,001 are refused', () => {
    const flow = (n: number): string => 'services:\n  web:\n    image: busybox\nx-deep: ' + '['.repeat(n - 1) + ']'.repeat(n - 1) + '\n';
    const ok = load({ 'compose.yaml': flow(10_000) });
    check(ok, 'flow 10,000');
    expect('error' in ok ? ok.error.message : '').not.toMatch(/max depth/);
    const deep = load({ 'compose.yaml': flow(10_001) });
    expect('error' in deep && deep.error.message).toMatch(/exceeded max depth of 10000/);
  }, 30_000);
});

describe('defects fixed by issue-14a', () => {
  // fixed by issue-14a (defect 5: invalid UTF-8 is rewritten to U+FFFD today; compose rejects it)
  it('invalid UTF-8 in a compose file is refused with its position', () => {
    const b = Buffer.concat([Buffer.from('services:\n  web:\n    image: busy'), Buffer.from([0xff, 0xfe]), Buffer.from('box\n')]);
    const r = load({ 'compose.yaml': b });
    expect('error' in r).toBe(true);
    if ('error' in r) {
      expect((r.error as ConfigError).position).toMatchObject({ line: 3 });
      expect(r.error.message).toMatch(/UTF-8/i);
    }
  });
});
