#!/usr/bin/env node
// Times `berth config` against `compose-ref config` on a generated 1000-service compose file: runs them
// alternately, 5 times each, and prints the medians and their ratio. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.BENCH_SERVICES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const berth = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
const ref = process.env.COMPOSE_REF ?? 'compose-ref';

let yaml = 'name: bench\nx-common: &common\n  restart: unless-stopped\n  labels:\n    com.example.team: bench\nservices:\n';
for (let i = 0; i < N; i++) {
  yaml += `  svc${i}:\n    <<: *common\n    image: "registry.local/app${i % 50}:\${TAG:-1.${i % 7}}"\n`;
  yaml += `    command: ["serve", "--port", "${8000 + (i % 1000)}"]\n    environment:\n      - MODE=prod\n      - INDEX=${i}\n`;
  yaml += `    ports:\n      - "127.0.0.1:${20000 + i}:80"\n    volumes:\n      - data${i % 20}:/data\n      - ./conf:/etc/app:ro\n`;
  yaml += `    healthcheck:\n      test: ["CMD", "true"]\n      interval: 30s\n`;
  if (i > 0) yaml += `    depends_on:\n      - svc${i - 1}\n`;
  yaml += `    networks: [front, back]\n`;
}
yaml += 'networks:\n  front: {}\n  back: {}\nvolumes:\n';
for (let i = 0; i < 20; i++) yaml += `  data${i}: {}\n`;

const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
writeFileSync(path.join(dir, 'compose.yaml'), yaml);
const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/root' };
const time = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const b = [];
const r = [];
try {
  for (let i = 0; i < RUNS; i++) {
    b.push(time(process.execPath, ['--', berth, 'config', '--format', 'json']));
    r.push(time(ref, ['config', '--format', 'json']));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${N} services, ${RUNS} runs each, alternating`);
console.log(`berth config:       median ${median(b).toFixed(0)} ms  (${b.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`compose-ref config: median ${median(r).toFixed(0)} ms  (${r.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`ratio compose-ref / berth: ${(median(r) / median(b)).toFixed(2)}x`);
