#!/usr/bin/env node
// develop.watch, berth against compose-ref on the same stack: the latency from a file's write on the host to
// its new content being readable in the container, and the idle CPU of each watcher over a 50,000-file tree.
//
// Latency without `docker exec` in the timed path: the container polls the synced file every ~10 ms (busybox
// sh) and prints `/proc/uptime` when its content changes; the host reads /proc/uptime just before it writes.
// Containers share the host kernel, so both read one clock (10 ms resolution: /proc/uptime has centiseconds).
// compose 2.26 only watches services with a `build:` section, so the service has a trivial one.
// Idle CPU: utime+stime of the watching process from /proc/<pid>/stat over BENCH_IDLE_S seconds (default 30),
// while it watches `big/` (50,000 files in 1,000 directories, plus a 20,000-file node_modules it ignores).
//
// Run after `npm run build`:  node bench/watch.mjs   (BENCH_EDITS=10, BENCH_IDLE_S=30, BENCH_TOOLS=berth,compose)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EDITS = Number(process.env.BENCH_EDITS ?? 10);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const TOOLS = (process.env.BENCH_TOOLS ?? 'berth,compose').split(',');
const berth = fileURLToPath(new URL('../bin/berth.js', import.meta.url));
const ref = process.env.COMPOSE_REF ?? 'compose-ref';
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-watch-'));
const poll = `last=; while :; do c=$(cat /app/f.txt 2>/dev/null); if [ "$c" != "$last" ]; then read up idle < /proc/uptime; echo "CHG $up $c"; last=$c; fi; usleep 10000; done`;
writeFileSync(
  path.join(dir, 'compose.yaml'),
  `services:
  app:
    build: ./ctx
    init: true
    command: ["sh", "-c", ${JSON.stringify(poll.replace(/\$/g, '$$$$'))}]
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
        - action: sync
          path: ./big
          target: /big
          ignore: [node_modules/]
`,
);
mkdirSync(path.join(dir, 'ctx'));
writeFileSync(path.join(dir, 'ctx/Dockerfile'), 'FROM busybox:local\n');
mkdirSync(path.join(dir, 'src'));
writeFileSync(path.join(dir, 'src/f.txt'), 'start');
for (let d = 0; d < 1000; d++) {
  mkdirSync(path.join(dir, `big/d${d}`), { recursive: true });
  for (let f = 0; f < 50; f++) writeFileSync(path.join(dir, `big/d${d}/f${f}.js`), 'x');
}
for (let d = 0; d < 1000; d++) {
  mkdirSync(path.join(dir, `big/node_modules/p${d}`), { recursive: true });
  for (let f = 0; f < 20; f++) writeFileSync(path.join(dir, `big/node_modules/p${d}/f${f}.js`), 'x');
}

const uptime = () => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of the line)
};
const running = (container) => {
  try {
    return execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  } catch {
    return false;
  }
};
const logs = (container) => execFileSync('docker', ['logs', container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

async function runTool(tool) {
  const project = `berth-bench-watch-${tool}-${process.pid}`;
  const container = `${project}-app-1`;
  const cmd = tool === 'berth' ? [process.execPath, ['--', berth, '-p', project, '--progress', 'quiet', 'watch']] : [ref, ['-p', project, '--progress', 'quiet', 'watch']];
  const child = spawn(cmd[0], cmd[1], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const t0 = Date.now();
  try {
    // ready: the watcher says so (berth "Watch enabled", compose 2.26 "Watch configuration for service ..."), and the container polls
    for (;;) {
      if (/watch enabled|watch configuration/i.test(out) && running(container)) break;
      if (child.exitCode !== null) throw new Error(`${tool} watch exited: ${out}`);
      if (Date.now() - t0 > 120_000) throw new Error(`${tool} watch not ready: ${out}`);
      await sleep(200);
    }
    const readyMs = Date.now() - t0;
    await sleep(1500);
    const latencies = [];
    for (let i = 0; i < EDITS; i++) {
      const value = `${tool}-edit-${i}`;
      const before = uptime();
      writeFileSync(path.join(dir, 'src/f.txt'), value);
      let seen;
      for (const end = Date.now() + 10_000; Date.now() < end && !seen; await sleep(100)) {
        seen = logs(container).split('\n').find((l) => l.endsWith(` ${value}`));
      }
      if (!seen) throw new Error(`${tool}: edit ${i} never reached the container`);
      latencies.push(Math.round((Number(seen.split(' ')[1]) - before) * 1000));
      await sleep(800); // edits apart, as a person types and saves
    }
    await sleep(2000);
    const a = cpuTicks(child.pid);
    await sleep(IDLE_S * 1000);
    const idle = ((cpuTicks(child.pid) - a) / TICK / IDLE_S) * 100;
    return { tool, readyMs, latencies, median: median(latencies), idle };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    execFileSync(tool === 'berth' ? process.execPath : ref, tool === 'berth' ? ['--', berth, '-p', project, 'down', '-t', '0', '--rmi', 'local'] : ['-p', project, 'down', '-t', '0', '--rmi', 'local'], { cwd: dir, stdio: 'ignore' });
  }
}

const results = [];
try {
  for (const t of TOOLS) results.push(await runTool(t === 'compose' ? 'compose-ref' : t));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${EDITS} edits each, idle CPU over ${IDLE_S} s, watching src/ (1 file) and big/ (50,000 files + 20,000 ignored in node_modules)`);
for (const r of results) {
  console.log(`${r.tool.padEnd(12)} latency median ${String(r.median).padStart(4)} ms  (${r.latencies.join(', ')})  idle CPU ${r.idle.toFixed(2)}% of a core  ready after ${r.readyMs} ms`);
}
if (results.length === 2) console.log(`latency ratio berth / compose-ref: ${(results[0].median / results[1].median).toFixed(2)}`);
