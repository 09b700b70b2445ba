#!/usr/bin/env node
// Benchmark (not a test): berth vs compose-ref, side by side in one run, tools alternating round by round,
// medians of N rounds. Cases: cold `up -d` and `down` of 10 and 50 independent services, no-op `up -d` of 10
// and 50, a 10-deep service_started chain, a 5-deep service_healthy chain (interval 1s) and its no-op up.
// Usage: npm run build && node bench/up-down.mjs [--rounds 5] [--only S10,S50,...] [--samples file.json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROUNDS = Number(opt('--rounds', '5'));
const ONLY = opt('--only', '')?.split(',').filter(Boolean);
const SAMPLES = opt('--samples', undefined);
const samples = {};
const RUN = process.pid.toString(36);
const berthBin = resolve(new URL('..', import.meta.url).pathname, 'bin/berth.js');

const svc = (name, extra = '') => `  ${name}:\n    image: busybox:local\n    init: true\n    command: ["sleep", "3600"]\n${extra}`;
const stacks = {
  S10: Array.from({ length: 10 }, (_, i) => svc(`s${i}`)).join(''),
  S50: Array.from({ length: 50 }, (_, i) => svc(`s${i}`)).join(''),
  CHAIN10: Array.from({ length: 10 }, (_, i) => svc(`c${i}`, i ? `    depends_on: [c${i - 1}]\n` : '')).join(''),
  HEALTHY5: Array.from({ length: 5 }, (_, i) =>
    svc(`h${i}`, `    healthcheck: { test: ["CMD", "true"], interval: 1s }\n${i ? `    depends_on: { h${i - 1}: { condition: service_healthy } }\n` : ''}`),
  ).join(''),
};

const tools = {
  // run as a user runs it: the executable itself (its shebang line is part of how berth starts)
  berth: (dir, project, cmd) => [berthBin, ['-p', project, '--progress', 'quiet', ...cmd]],
  'compose-ref': (dir, project, cmd) => ['compose-ref', ['-p', project, '--progress', 'quiet', ...cmd]],
};

function time(tool, dir, project, cmd) {
  const [bin, argv] = tools[tool](dir, project, cmd);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${tool} ${cmd.join(' ')} failed (${r.status}): ${r.stderr}`);
  return s;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
for (const [name, body] of Object.entries(stacks)) {
  if (ONLY?.length && !ONLY.includes(name)) continue;
  const dir = mkdtempSync(join(tmpdir(), `berth-bench-${name}-`));
  writeFileSync(join(dir, 'compose.yaml'), `services:\n${body}`);
  const t = { berth: { up: [], noop: [], down: [] }, 'compose-ref': { up: [], noop: [], down: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    // alternate which tool goes first, so neither always meets a warmer engine
    const order = round % 2 ? ['compose-ref', 'berth'] : ['berth', 'compose-ref'];
    for (const tool of order) {
      // a project of its own per round and per run: engine 20.10 now and then leaks a network's endpoint
      // count on down, and such a network could not be removed in any later round, or later run, of that
      // project (see leftovers below)
      const project = `bench-${name.toLowerCase()}-${RUN}-${tool === 'berth' ? 'b' : 'c'}${round}`;
      t[tool].up.push(time(tool, dir, project, ['up', '-d']));
      t[tool].noop.push(time(tool, dir, project, ['up', '-d']));
      t[tool].down.push(time(tool, dir, project, ['down', '-t', '1']));
    }
  }
  samples[name] = t;
  for (const phase of ['up', 'noop', 'down']) {
    const b = median(t.berth[phase]);
    const c = median(t['compose-ref'][phase]);
    results.push({ case: `${name} ${phase === 'noop' ? 'no-op up' : phase === 'up' ? 'cold up' : 'down'}`, berth: b, compose: c, ratio: b / c });
  }
  rmSync(dir, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('case', 22)}${pad('berth s', 10)}${pad('compose-ref s', 15)}ratio (berth/compose)`);
for (const r of results) console.log(`${pad(r.case, 22)}${pad(r.berth.toFixed(3), 10)}${pad(r.compose.toFixed(3), 15)}${r.ratio.toFixed(2)}`);
console.log(`(medians of ${ROUNDS} rounds, tools alternating; engine ${spawnSync('docker', ['version', '-f', '{{.Server.Version}}'], { encoding: 'utf8' }).stdout.trim()})`);
const leftovers = spawnSync('docker', ['network', 'ls', '--filter', 'name=bench-', '--format', '{{.Name}}'], { encoding: 'utf8' }).stdout.trim();
if (leftovers) console.log(`networks a down could not remove (the engine's leaked endpoint count; a daemon restart releases them): ${leftovers.split('\n').join(' ')}`);
// every round's time, for pooling runs or looking at the spread behind a median
if (SAMPLES) writeFileSync(SAMPLES, `${JSON.stringify(samples, null, 1)}\n`);
