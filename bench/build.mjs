#!/usr/bin/env node
// `berth build` against `compose-ref build` (BuildKit on both: compose-ref through its docker driver, berth
// through its own session) on a multi-stage project with a cache mount and a context of ~300 files:
//   cold: every round writes a fresh nonce into the context (and the build arg), so no layer of the shared
//         engine's build cache matches (the main builder is never pruned); the cache mount is reused;
//   warm: the same build again right after, nothing changed: every step is a cache hit.
// Paired rounds, interleaved (the order within a pair alternates), medians of BENCH_ROUNDS (default 5).
// Each tool builds its own copy of the project, so neither warms the other's cache. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const berth = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
const ref = process.env.COMPOSE_REF ?? 'compose-ref';
const tag = `b21b-bench-${randomBytes(3).toString('hex')}`;

const dockerfile = `FROM busybox:local AS deps
ARG NONCE
COPY deps/ /src/deps/
RUN --mount=type=cache,target=/cache sh -c 'cat /src/deps/* > /deps && cp /deps /cache/deps-$NONCE && ls /cache | wc -l > /cache-entries'
FROM busybox:local AS build
COPY --from=deps /deps /deps
COPY src/ /src/
RUN --mount=type=cache,target=/cache sh -c 'cat /deps /src/* | sha256sum > /out && cp /out /cache/out-latest'
FROM busybox:local
COPY --from=build /out /out
CMD ["cat", "/out"]
`;

function project(who) {
  const dir = mkdtempSync(path.join(tmpdir(), `berth-bench-build-${who}-`));
  mkdirSync(path.join(dir, 'deps'));
  mkdirSync(path.join(dir, 'src'));
  for (let i = 0; i < 50; i++) writeFileSync(path.join(dir, 'deps', `dep${i}.txt`), `dependency ${i}\n`.repeat(40));
  for (let i = 0; i < 250; i++) writeFileSync(path.join(dir, 'src', `mod${i}.js`), `export const v${i} = ${i};\n`.repeat(30));
  writeFileSync(path.join(dir, 'src', 'blob.bin'), randomBytes(2 << 20));
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    `services:\n  app:\n    image: ${tag}-${who}:latest\n    build:\n      context: .\n      args:\n        NONCE: \${NONCE:-0}\n`,
  );
  return dir;
}

const dirs = { berth: project('berth'), ref: project('ref') };
const cmd = {
  berth: (dir, env) => [process.execPath, ['--', berth, '-p', `${tag}-berth`, '--progress', 'plain', 'build'], dir, env],
  ref: (dir, env) => [ref, ['-p', `${tag}-ref`, '--progress', 'plain', 'build'], dir, env],
};
const time = ([bin, args, cwd, env]) => {
  const t0 = process.hrtime.bigint();
  execFileSync(bin, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t = { cold: { berth: [], ref: [] }, warm: { berth: [], ref: [] } };
try {
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ['berth', 'ref'] : ['ref', 'berth'];
    const env = {};
    for (const who of order) {
      const nonce = `${tag}-${i}-${who}`;
      env[who] = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/root', NONCE: nonce };
      // the cold change: one source file and the build arg (the deps stage and everything after it)
      writeFileSync(path.join(dirs[who], 'deps', 'nonce.txt'), `${nonce}\n`);
    }
    for (const who of order) t.cold[who].push(time(cmd[who](dirs[who], env[who])));
    for (const who of order) t.warm[who].push(time(cmd[who](dirs[who], env[who])));
  }
} finally {
  for (const who of ['berth', 'ref']) {
    rmSync(dirs[who], { recursive: true, force: true });
    // every image the rounds built (each cold round moves the tag, leaving the previous image untagged): both
    // tools label what they build with the project
    try {
      const ids = execFileSync('docker', ['images', '-a', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${tag}-${who}`], { encoding: 'utf8' });
      const unique = [...new Set(ids.split('\n').filter(Boolean))];
      if (unique.length) execFileSync('docker', ['image', 'rm', '-f', ...unique], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`multi-stage build with cache mounts, ~300-file context (2 MB), ${ROUNDS} paired rounds, interleaved`);
for (const kind of ['cold', 'warm']) {
  const b = median(t[kind].berth);
  const r = median(t[kind].ref);
  console.log(`${kind}: berth median ${b.toFixed(0)} ms (${fmt(t[kind].berth)}); compose-ref median ${r.toFixed(0)} ms (${fmt(t[kind].ref)}); berth/compose-ref ${(b / r).toFixed(2)}x (goal <= 1.00x)`);
}
