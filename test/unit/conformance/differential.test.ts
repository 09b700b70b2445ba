// Differential test: for every compose project directory of the corpus (e2e/ and python-v1/), berth's
// `config --format json` must equal compose-ref's (Docker Compose 2.26), and an input compose-ref rejects
// berth must reject. Normalization before comparing: both outputs are parsed as JSON (key order and
// whitespace ignored); nothing else is rewritten. Known differences, each with its reason, are listed in
// differential-expected.json (the corpus follows a newer compose than 2.26); agreement must stay ≥ 95%.

import { execFile } from 'node:child_process';
import { serviceConfigHash } from '../../../src/config/hash.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProjectSync, serializeConfig } from '../../../src/config/index.js';
import { CORPUS_DIR, HAS_CORPUS } from './corpus.js';

const COMPOSE_REF = ['/usr/local/bin/compose-ref', ...(process.env.PATH ?? '').split(':').map((d) => `${d}/compose-ref`)].find((p) => existsSync(p));
const EXPECTED: Record<string, string> = JSON.parse(
  readFileSync(fileURLToPath(new URL('./differential-expected.json', import.meta.url)), 'utf8'),
) as Record<string, string>;
const NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const ENV = { HOME: '/home/berth', PATH: process.env.PATH ?? '/usr/bin:/bin' };

function projectDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir);
    if (entries.some((e) => NAMES.includes(e))) out.push(dir);
    for (const e of entries) if (statSync(path.join(dir, e)).isDirectory()) walk(path.join(dir, e));
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

type Outcome = { ok: true; json: unknown } | { ok: false; message: string };

function composeRef(dir: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(COMPOSE_REF!, ['config', '--format', 'json'], { cwd: dir, env: ENV, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, message: stderr.trim() });
      else {
        try {
          resolve({ ok: true, json: JSON.parse(stdout) });
        } catch {
          resolve({ ok: false, message: `unparsable output: ${stdout.slice(0, 200)}` });
        }
      }
    });
  });
}

/**
 * Services whose config agrees but whose hash does not, yet: compose 2.26 hashes before it drops env_file
 * (env_file services), does not know the newer post_start/pre_stop hooks, and differs on `publish`-era and
 * compatibility-mode inputs. A mismatch outside this list fails the test.
 */
const HASH_NOT_YET_RECONCILED = new Set([
  'e2e/pkg-compose-testdata/publish list',
  'e2e/pkg-compose-testdata/publish mapping',
  'e2e/pkg-compose-testdata/publish string',
  'e2e/testdata/TestEnvPriorityComposeEnvFile env-compose-priority',
  'e2e/testdata/TestPostStartAndPreStopHook sample',
  'e2e/testdata/TestPreStopHookSuccess sample',
  'e2e/testdata/TestPreStopHookSuccessWithPreviousStop sample',
  'e2e/testdata/TestPublishPromptAggregatesFindings serviceB',
  'e2e/testdata/TestPublishPromptEnvFile serviceA',
  'python-v1/fixtures/compatibility-mode foo',
  'python-v1/fixtures/env-file-override test',
]);

/** service → hash, from `compose-ref config --hash '*'`; undefined when it fails. */
function composeRefHashes(dir: string): Promise<Record<string, string> | undefined> {
  return new Promise((resolve) => {
    execFile(COMPOSE_REF!, ['config', '--hash', '*'], { cwd: dir, env: ENV, timeout: 30_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      resolve(Object.fromEntries(stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string])));
    });
  });
}

function berth(dir: string): Outcome {
  try {
    return { ok: true, json: JSON.parse(serializeConfig(loadProjectSync({ cwd: dir, env: ENV }), 'json')) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

async function pool<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

describe('differential: berth config vs compose-ref config --format json', () => {
  if (!HAS_CORPUS || !COMPOSE_REF) {
    it.skip(`${HAS_CORPUS ? 'compose-ref not installed' : `corpus not found at ${CORPUS_DIR}`}: differential test skipped`, () => {});
    return;
  }
  const dirs = [...projectDirs(`${CORPUS_DIR}e2e`), ...projectDirs(`${CORPUS_DIR}python-v1`)];
  it(`agrees on at least 95% of ${dirs.length} corpus projects; differences are the listed ones`, async () => {
    const refs = await pool(dirs, 2, composeRef);
    const differences: Record<string, string> = {};
    dirs.forEach((dir, i) => {
      const id = path.relative(CORPUS_DIR, dir);
      const ref = refs[i];
      const ours = berth(dir);
      if (ref.ok && ours.ok) {
        if (JSON.stringify(sortKeys(ours.json)) !== JSON.stringify(sortKeys(ref.json))) differences[id] = 'different output';
      } else if (ref.ok !== ours.ok) {
        differences[id] = ref.ok ? `berth rejects: ${(ours as { message: string }).message}` : `compose-ref rejects, berth accepts: ${(ref as { message: string }).message}`;
      }
    });
    const agreed = dirs.length - Object.keys(differences).length;
    // where the corpus (newer spec) and compose-ref 2.26 disagree berth follows the corpus: those inputs
    // are listed as "newer spec" and left out of the agreement ratio (printed both ways)
    const byDesign = Object.keys(differences).filter((id) => EXPECTED[id]?.startsWith('newer spec')).length;
    const comparable = dirs.length - byDesign;
    console.log(
      `differential: ${agreed}/${comparable} agree (${((100 * agreed) / comparable).toFixed(1)}%) leaving out ${byDesign} newer-spec inputs; ${agreed}/${dirs.length} of all inputs`,
    );
    for (const [id, why] of Object.entries(differences)) if (!(id in EXPECTED)) console.log(`  unexpected difference ${id}: ${why.split('\n')[0].slice(0, 300)}`);
    expect(Object.keys(differences).filter((id) => !(id in EXPECTED))).toEqual([]);
    expect(agreed / comparable).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('computes the same config hash as compose-ref for every service where the configs agree', async () => {
    const agreeing = dirs.filter((dir) => !(path.relative(CORPUS_DIR, dir) in EXPECTED));
    const refs = await pool(agreeing, 2, composeRefHashes);
    const mismatched: string[] = [];
    let compared = 0;
    agreeing.forEach((dir, i) => {
      const ref = refs[i];
      if (!ref) return;
      let project;
      try {
        project = loadProjectSync({ cwd: dir, env: ENV });
      } catch {
        return;
      }
      for (const [service, hash] of Object.entries(ref)) {
        compared++;
        if (!project.services[service] || serviceConfigHash(project.services[service]) !== hash) mismatched.push(`${path.relative(CORPUS_DIR, dir)} ${service}`);
      }
    });
    console.log(`config hash: ${compared - mismatched.length}/${compared} services hash as compose-ref does`);
    expect(compared).toBeGreaterThan(100);
    expect(mismatched.filter((m) => !HASH_NOT_YET_RECONCILED.has(m))).toEqual([]);
  }, 300_000);
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
