#!/usr/bin/env node
// Benchmark (not a test): loading a large compose file, berth vs compose-ref side by side. Generates files of
// the given sizes (default 5 and 50 MB: many services, each with environment, labels, ports, volumes and an
// anchor merged in) and runs `config -q` on each, tools alternating, reporting the median wall time, CPU
// time (user + system) and peak RSS (ru_maxrss of the child), via /usr/bin/time. Issue 14's goal: 5 MB in under 1 s and 300 MB.
// Usage: npm run build && node bench/large-file.mjs [--sizes 5,50] [--rounds 3] [--only berth]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const SIZES = opt('--sizes', '5,50').split(',').map(Number);
const ROUNDS = Number(opt('--rounds', '3'));
const ONLY = opt('--only', '')?.split(',').filter(Boolean);
const berthBin = resolve(new URL('..', import.meta.url).pathname, 'bin/berth.js');

/** A compose file of about `mb` megabytes. */
export function largeCompose(mb) {
  const parts = ['x-common: &common\n  restart: unless-stopped\n  logging:\n    driver: json-file\n    options:\n      max-size: 10m\nservices:\n'];
  let size = parts[0].length;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const s =
      `  svc${i}:\n    <<: *common\n    image: registry.example.com/team/app-${i % 97}:1.${i % 13}\n` +
      `    command: ["serve", "--port", "${8000 + (i % 1000)}"]\n` +
      `    environment:\n      SERVICE_NAME: svc${i}\n      LEVEL: \${LEVEL:-info}\n      SHARD: "${i % 64}"\n` +
      `    labels:\n      team: t${i % 17}\n      tier: "${i % 3}"\n` +
      `    ports:\n      - "127.0.0.1::${8000 + (i % 1000)}"\n` +
      `    volumes:\n      - ./data/svc${i}:/data\n` +
      (i % 50 ? `    depends_on: [svc${i - 1}]\n` : '');
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}

const tools = {
  berth: (file) => [process.execPath, [berthBin, '-f', file, '-p', 'large', 'config', '-q']],
  'compose-ref': (file) => ['compose-ref', ['-f', file, '-p', 'large', 'config', '-q']],
};

function measure(tool, file) {
  const [bin, argv] = tools[tool](file);
  const t0 = performance.now();
  // CPU time (user + system) next to wall time: on a shared machine, load stretches wall time far more
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', bin, ...argv], { encoding: 'utf8', env: { ...process.env, BERTH_PROJECT_CACHE: '0' }, maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  const lines = r.stderr.trim().split('\n');
  const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return { ms, rssMb: kb / 1024, cpuMs: (user + sys) * 1000, ok: r.status === 0, err: r.status === 0 ? '' : lines.slice(0, -1).join(' ').slice(0, 200) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-large-'));
  try {
    for (const mb of SIZES) {
      const file = join(dir, `compose-${mb}mb.yaml`);
      writeFileSync(file, largeCompose(mb));
      const bytes = statSync(file).size;
      const results = {};
      for (let r = 0; r < ROUNDS; r++) {
        for (const tool of Object.keys(tools)) {
          if (ONLY?.length && !ONLY.includes(tool)) continue;
          (results[tool] ??= []).push(measure(tool, file));
        }
      }
      for (const [tool, runs] of Object.entries(results)) {
        const failed = runs.find((x) => !x.ok);
        console.log(
          `${(bytes / 1024 / 1024).toFixed(1)} MB  ${tool.padEnd(12)} median ${(median(runs.map((x) => x.ms)) / 1000).toFixed(2)} s  CPU ${(median(runs.map((x) => x.cpuMs)) / 1000).toFixed(2)} s  peak RSS ${median(runs.map((x) => x.rssMb)).toFixed(0)} MB` +
            (failed ? `  FAILED: ${failed.err}` : ''),
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
