#!/usr/bin/env node
// Benchmark (not a test), issue 14: a large stack's cold `up -d` and its `down`, berth vs compose-ref side by
// side, tools alternating round by round: wall time of each, and each tool's peak resident memory (GNU time's
// %M, max RSS of the process; "n/a" without /usr/bin/time). Independent services (busybox:local, init, sleep),
// one project per tool and round, removed by label afterwards whatever happened.
// Usage: npm run build && node bench/load.mjs [--services 200] [--rounds 1] [--json file]
// Run at full size on a quiet machine only: 200 services are 400 container create/start calls per tool.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('--services', '200'));
const ROUNDS = Number(opt('--rounds', '1'));
const JSON_OUT = opt('--json', undefined);
const berthBin = resolve(new URL('..', import.meta.url).pathname, 'bin/berth.js');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const RUN = process.pid.toString(36);

const compose = `services:\n${Array.from({ length: N }, (_, i) => `  s${i}:\n    image: busybox:local\n    init: true\n    command: ["sleep", "3600"]\n`).join('')}`;

const tools = {
  berth: (project, cmd) => [berthBin, ['-p', project, '--progress', 'quiet', ...cmd]],
  'compose-ref': (project, cmd) => ['compose-ref', ['-p', project, '--progress', 'quiet', ...cmd]],
};

/** Run one command; wall seconds and peak RSS in MB (GNU time writes "%M" as the last stderr line). */
function measure(tool, dir, project, cmd) {
  const [bin, argv] = tools[tool](project, cmd);
  const [exe, full] = gnuTime ? [gnuTime, ['-f', 'maxrss_kb=%M', bin, ...argv]] : [bin, argv];
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, full, { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const kb = /maxrss_kb=(\d+)/.exec(stderr)?.[1];
      if (code !== 0) return reject(new Error(`${tool} ${cmd.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      resolvePromise({ s, rssMB: kb ? Number(kb) / 1024 : undefined });
    });
  });
}

function removeByLabel(project) {
  const q = (what) => spawnSync('docker', [...what, '-q', '--filter', `label=com.docker.compose.project=${project}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const cs = q(['ps', '-a']);
  if (cs.length) spawnSync('docker', ['rm', '-f', ...cs]);
  const ns = q(['network', 'ls']);
  if (ns.length) spawnSync('docker', ['network', 'rm', ...ns]);
}

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-load-'));
writeFileSync(join(dir, 'compose.yaml'), compose);
const samples = { berth: { up: [], down: [] }, 'compose-ref': { up: [], down: [] } };
const projects = [];
let failed = false;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['compose-ref', 'berth'] : ['berth', 'compose-ref'];
    for (const tool of order) {
      const project = `bench-load-${RUN}-${tool === 'berth' ? 'b' : 'c'}${round}`;
      projects.push(project);
      const up = await measure(tool, dir, project, ['up', '-d']);
      const down = await measure(tool, dir, project, ['down']);
      samples[tool].up.push(up);
      samples[tool].down.push(down);
      process.stderr.write(`round ${round + 1} ${tool}: up ${up.s.toFixed(2)} s, down ${down.s.toFixed(2)} s, peak RSS up ${up.rssMB?.toFixed(0) ?? 'n/a'} MB\n`);
    }
  }
} catch (err) {
  failed = true;
  process.stderr.write(`${err.message}\n`);
} finally {
  for (const p of projects) removeByLabel(p);
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const row = (tool) => {
  const t = samples[tool];
  const rss = [...t.up, ...t.down].map((x) => x.rssMB).filter((x) => x !== undefined);
  return `| ${tool} | ${fmt(median(t.up.map((x) => x.s)))} | ${fmt(median(t.down.map((x) => x.s)))} | ${rss.length ? fmt(Math.max(...rss), 0) : 'n/a'} |`;
};
console.log(`${N} services, ${ROUNDS} round(s), medians; peak RSS is the largest of any command\n`);
console.log('| tool | cold up -d (s) | down (s) | peak RSS (MB) |\n|---|---|---|---|');
console.log(row('berth'));
console.log(row('compose-ref'));
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ services: N, rounds: ROUNDS, samples }, null, 2));
process.exit(failed ? 1 : 0);
