// The fast YAML path (src/config/yaml-fast.ts) against the yaml library, as a differential property: wherever
// the fast path gives a tree, the library (with parse.ts's options, through toTree) gives no error, one
// document and the same tree (same values, types and key order); the positions errors use are the library's.
// Inputs: every YAML file of the conformance corpus, fixtures and examples; the benchmark's large file;
// generated compose-like files; and line soups of YAML fragments (the fast path must give up on everything
// it does not read exactly as the library does).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseWithLibrary, parseYamlDocuments, type KeyPath } from '../../../src/config/parse.js';
import { fastParseYaml, resolvePlain } from '../../../src/config/yaml-fast.js';
import { CORPUS_DIR, HAS_CORPUS } from '../conformance/corpus.js';
// @ts-expect-error -- a plain .mjs benchmark script without types
import { largeCompose } from '../../../bench/large-file.mjs';

vi.setConfig({ testTimeout: 120_000 });
const RUNS = Number(process.env.BERTH_PROPERTY_RUNS ?? 300);

type Library = { data?: unknown; error?: string; docs: number };

function library(text: string): Library {
  try {
    const docs = parseWithLibrary(text, 'compose.yaml');
    return { data: docs[docs.length - 1].data, docs: docs.length };
  } catch (err) {
    return { error: (err as Error).message, docs: 0 };
  }
}

/** Same values and types (NaN, -0 included) and the same key order at every level. */
function sameTree(a: unknown, b: unknown): boolean {
  if (!isDeepStrictEqual(a, b)) return false;
  if (a === null || typeof a !== 'object') return Object.is(a, b);
  if (Array.isArray(a)) return a.every((v, i) => sameTree(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.join('\u0000') === kb.join('\u0000') && ka.every((k) => sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Checks one text; returns whether the fast path took it. */
function check(text: string): boolean {
  const fast = fastParseYaml(text);
  if (fast === undefined) return false;
  const lib = library(text);
  expect(lib.error, `the library refuses what the fast path took:\n${text}`).toBeUndefined();
  expect(lib.docs).toBe(1);
  if (!sameTree(fast, lib.data)) expect({ text, fast }).toEqual({ text, fast: lib.data });
  return true;
}

/** Every multi-line string in the corpus' JSON files: the inline compose files of its loader cases (and others). */
function inlineTexts(dir: string, out: string[] = []): string[] {
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('\n')) out.push(v);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) inlineTexts(p, out);
    else if (e.endsWith('.json')) collect(JSON.parse(readFileSync(p, 'utf8')));
  }
  return out;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

const root = path.resolve(import.meta.dirname, '../../..');

describe('fast YAML path', () => {
  it('reads every YAML file of the corpus, fixtures and examples as the library does (or gives up)', () => {
    const files = [...(HAS_CORPUS ? yamlFiles(CORPUS_DIR) : []), ...yamlFiles(path.join(root, 'fixtures')), ...yamlFiles(path.join(root, 'examples')), ...yamlFiles(path.join(root, 'test'))];
    let taken = 0;
    for (const f of files) if (check(readFileSync(f, 'utf8'))) taken++;
    // the point of the path: ordinary compose files take it
    expect(taken).toBeGreaterThan(files.length / 2);
    // the corpus' inline files (loader cases) and any other multi-line text in it: the property holds for any text
    if (HAS_CORPUS) {
      const texts = inlineTexts(CORPUS_DIR);
      let inlineTaken = 0;
      for (const t of texts) if (check(t)) inlineTaken++;
      expect(inlineTaken).toBeGreaterThan(100);
    }
  });

  it("reads the benchmark's large file (anchors merged into every service) as the library does", () => {
    expect(check(largeCompose(0.1))).toBe(true);
  });

  it('a million nodes written out are not an alias bomb (only nodes reached through aliases count)', () => {
    // the fast path (the library takes a minute for this many nodes: its count is checked with a lower limit)
    const text = `x-big: [${'0, '.repeat(1_100_000)}0]\nx-ref: &r [1, 2]\nx-use: *r\n`;
    expect((parseYamlDocuments(text, 'big.yaml')[0].data['x-big'] as unknown[]).length).toBe(1_100_001);
    // the library path, with a limit of 1,000: 3,000 nodes written out pass, 1,001 through aliases do not
    const written = `x-big: [${'0, '.repeat(3_000)}0]\n`;
    expect((parseWithLibrary(written, 'w.yaml', 1_000)[0].data['x-big'] as unknown[]).length).toBe(3_001);
    const aliased = `x-a: &a [${'0, '.repeat(999)}0]\nx-b: *a\nx-c: *a\n`;
    expect(() => parseWithLibrary(aliased, 'a.yaml', 1_000)).toThrow(/too many nodes/);
    expect(parseWithLibrary(aliased, 'a.yaml', 2_002)[0].data['x-c']).toHaveLength(1_000);
  });

  it('resolves plain scalars with the core schema as parse.ts configures it', () => {
    const cases: [string, unknown][] = [
      ['0440', 0o440], ['0', 0], ['00', 0], ['08', 8], ['0o17', 15], ['0x1F', 31], ['+12', 12], ['-0', -0], ['1_000', '1_000'],
      ['1.', 1], ['.5', 0.5], ['1e3', 1000], ['-.inf', -Infinity], ['.NaN', NaN], ['~', null], ['Null', null], ['', null],
      ['yes', 'yes'], ['on', 'on'], ['True', true], ['FALSE', false], ['tRue', 'tRue'], ['0b11', '0b11'], ['9007199254740993', 9007199254740992],
    ];
    for (const [src, want] of cases) {
      expect(Object.is(resolvePlain(src), want) || isDeepStrictEqual(resolvePlain(src), want), src).toBe(true);
      const text = `k: ${src}\n`;
      if (check(text)) continue;
      expect(src, 'only the empty scalar leaves the line to the library').toBe('');
    }
  });

  it('gives up on the shapes it leaves to the library', () => {
    for (const text of [
      'a: 1\na: 2\n', // duplicate key: the library's error names both lines
      'a: !reset null\n',
      'a: |\n  text\n',
      'a: b\n  c\n',
      '1: x\n',
      'a: *nope\n',
      'a: &x [*x]\n',
      'a:\n\tb: 1\n',
      '--- \na: 1\n---\nb: 2\n',
      'a: "x\n  y"\n',
      '<<: [1]\n',
      'a: [1,\n  2]\n',
      '\ufeffa: 1\n',
      'a: 1\r\n',
      'a: b: c\n',
      '- a\n',
    ]) {
      expect(fastParseYaml(text), text).toBeUndefined();
    }
  });

  it('takes positions from the library when an error asks for one', () => {
    const text = largeCompose(0.05) + '  extra:\n    image: [1, {a: b}]\n';
    const [fast] = parseYamlDocuments(text, 'big.yaml');
    const [lib] = parseWithLibrary(text, 'big.yaml');
    const paths: KeyPath[] = [['services', 'extra', 'image', 1, 'a'], ['services', 'svc3', 'environment', 'LEVEL'], ['services', 'svc3', 'restart'], ['services', 'nope', 'x'], []];
    for (const p of paths) {
      expect(fast.positionOf(p)).toEqual(lib.positionOf(p));
      expect(fast.keyPositionOf(p)).toEqual(lib.keyPositionOf(p));
      expect(fast.has(p)).toBe(lib.has(p));
    }
  });

  // compose-like files written in the styles people use: block and flow, quoting, comments, anchors and merges
  const word = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/);
  const scalarText = fc.oneof(
    { arbitrary: word, weight: 6 },
    fc.constantFrom('0440', '8080', '-1', '1.5', '1e3', 'true', 'False', 'null', '~', 'yes', 'on', '.inf', '0x1f', '0o7', '+3', '1_0', '12:30', 'a:b', 'a#b', 'http://x/y', '--port', '${VAR:-x}', '$${x}', 'a b  c', 'x # y'),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  );
  const styled = (s: string) =>
    fc.constantFrom('plain', 'single', 'double').map((style) =>
      style === 'plain' ? s : style === 'single' ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s),
    );
  const scalar = scalarText.chain(styled);
  const key = fc.oneof({ arbitrary: word, weight: 8 }, fc.constantFrom('<<', 'yes', '1', 'null', 'a b', 'x-y', '"q"', "'s'", 'a:b', '"a b"', '__proto__', 'k'));
  type Gen = fc.Arbitrary<string[]>;
  const anchorNames = ['a', 'b', 'c'];
  const prop = fc.option(fc.constantFrom(...anchorNames).map((n) => `&${n} `), { freq: 4 });
  const alias = fc.constantFrom(...anchorNames).map((n) => `*${n}`);
  const flow: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: scalar, weight: 4 },
      alias,
      fc.array(tie('f'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.array(fc.tuple(key, tie('f')), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    ),
  })).f;
  const block = (indent: number, depth: number, top = false): Gen => {
    const pad = ' '.repeat(indent);
    const inline = fc.oneof(
      { arbitrary: fc.tuple(prop, fc.oneof({ arbitrary: scalar, weight: 6 }, flow.filter((f) => !f.startsWith('*')))).map(([p, v]) => `${p ?? ''}${v}`), weight: 8 },
      alias,
      fc.constant(''),
    );
    const comment = fc.option(fc.constantFrom(' # c', '  #x'), { freq: 5 });
    const child = (step: number): fc.Arbitrary<[string, string[]]> =>
      depth <= 0
        ? fc.tuple(inline, fc.constant([] as string[]))
        : fc.oneof(
            fc.tuple(inline, fc.constant([] as string[])),
            fc.tuple(prop.map((p) => (p ?? '').trimEnd()), block(indent + step, depth - 1)),
          );
    const mapping: Gen = fc.uniqueArray(fc.tuple(key, child(2), comment, fc.boolean()), { minLength: 1, maxLength: 4, selector: (e) => e[0] })
      .map((entries) =>
        entries.flatMap(([k, [v, lines], c, blank]) => [`${pad}${k}:${v ? ` ${v}` : ''}${c ?? ''}`, ...lines, ...(blank ? ['', `${pad}  # note`] : [])]),
      );
    const sequence: Gen = fc
      .array(fc.tuple(child(2), comment), { minLength: 1, maxLength: 4 })
      .map((items) => items.flatMap(([[v, lines], c]) => [`${pad}-${v ? ` ${v}` : ''}${c ?? ''}`, ...lines]));
    // `- key: value` with the rest of the mapping under the first key
    const compact: Gen = fc.uniqueArray(fc.tuple(key, inline), { minLength: 1, maxLength: 3, selector: (e) => e[0] })
      .map((ps) => ps.map(([k, v], i) => `${pad}${i === 0 ? '- ' : '  '}${k}: ${v}`));
    return depth <= 0 || top ? mapping : fc.oneof(mapping, sequence, compact);
  };
  const document = fc
    .tuple(fc.option(fc.constant('---')), fc.constantFrom(0, 2), block(0, 3, true))
    .map(([start, indent, lines]) => [...(start ? [start] : []), ...lines.map((l) => ' '.repeat(indent) + l)].join('\n') + '\n');

  it('generated compose-like files: the fast path agrees with the library wherever it takes the file', () => {
    let taken = 0;
    fc.assert(
      fc.property(document, (text) => {
        if (check(text)) taken++;
      }),
      { numRuns: RUNS * 3 },
    );
    // most of them are in the shapes the fast path reads
    expect(taken).toBeGreaterThan(RUNS / 3);
  });

  it('line soups of YAML fragments, and valid files with a random tail: never a tree the library would not give', () => {
    const fragment = fc.constantFrom(
      'a:', 'b: 1', '- ', '-', '- x', '  ', '    ', '# c', ' #', '&a ', '*a', '<<: *a', '<<: [*a, *b]', '"q"', "'s'", '[', ']', '{', '}', ',',
      ': ', '?', '!', '|', '>', '---', '...', '%YAML 1.2', 'x: y: z', 'k: v # c', '"a": 1', 'x', ' x', '\t', '\r', '\\', '"\\n"', '0440', '"', "'",
    );
    const soup = fc.array(fc.array(fragment, { maxLength: 5 }).map((fs) => fs.join('')), { maxLength: 12 }).map((ls) => ls.join('\n'));
    fc.assert(fc.property(soup, (text) => void check(text)), { numRuns: RUNS * 3 });
    const tail = fc.tuple(document, fc.string({ maxLength: 20 }), fc.nat()).map(([doc, junk, at]) => {
      const cut = at % (doc.length + 1);
      return doc.slice(0, cut) + junk + doc.slice(cut);
    });
    fc.assert(fc.property(tail, (text) => void check(text)), { numRuns: RUNS * 3 });
  });
});
