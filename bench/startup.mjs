#!/usr/bin/env node
// Benchmark (not a test): start-up bound commands, berth side by side with compose-ref and bare `node -e 0`.
// Every round runs each case once per tool, the tools interleaved (the order rotating round by round), so a
// machine loaded by something else slows both sides of a pair alike; what is reported is the median of each
// tool and the ratio of medians, plus in how many paired rounds berth was the faster.
//   - no-op `up -d` of 10 and 50 services (each tool on a running project of its own): vs compose-ref, and the
//     floor: bench/noop-floor.cjs, bare Node making the same engine calls
//   - `version`, and `ps` of a running 10-service stack: vs `node -e 0` (also shown: `node -e 0` without the
//     machine-wide NODE_EXTRA_CA_CERTS, and compose-ref)
//   - `down` of 10 services (brought up cold, untimed, in the same round): vs compose-ref, and the floor:
//     bench/down-floor.cjs, bare Node making the same engine calls in the same order
// Goals (issue 19): no-op up <= 1.2x compose-ref; version and ps <= 1.15x node -e 0; down <= 1.0x compose-ref.
// Usage: npm run build && node bench/startup.mjs [--rounds 15] [--only noop10,noop50,version,ps,down]
//        [--samples file.json]   (about 4 minutes at 15 rounds on a quiet 2-core machine)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROUNDS = Number(opt('--rounds', '15'));
const ALL = ['noop10', 'noop50', 'version', 'ps', 'down'];
const ONLY = (opt('--only', '') || ALL.join(',')).split(',').filter(Boolean);
const SAMPLES = opt('--samples', undefined);
const RUN = process.pid.toString(36);
const berthBin = resolve(new URL('..', import.meta.url).pathname, 'bin/berth.js');

const svc = (name) => `  ${name}:\n    image: busybox:local\n    init: true\n    command: ["sleep", "3600"]\n`;
const stackFile = (n) => `services:\n${Array.from({ length: n }, (_, i) => svc(`s${i}`)).join('')}`;

// run as a user runs it: the executable itself (its shebang line is part of how berth starts)
// `node -e 0` as the machine's environment has it (the issue's reference), and without NODE_EXTRA_CA_CERTS (set
// machine-wide here: Node then parses the whole CA bundle before any JavaScript, ~35 ms; berth's launcher moves it
// aside, see bin/berth.js). `floor`: bench/noop-floor.cjs, a bare Node process making a no-op up's engine calls.
const withoutCa = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));
const floorScript = resolve(new URL('.', import.meta.url).pathname, 'noop-floor.cjs');
const downFloorScript = resolve(new URL('.', import.meta.url).pathname, 'down-floor.cjs');
const commands = {
  berth: (cmd) => [berthBin, cmd],
  'compose-ref': (cmd) => ['compose-ref', cmd],
  node: () => [process.execPath, ['-e', '0']],
  'node-noca': () => [process.execPath, ['-e', '0'], withoutCa],
  floor: (cmd) => [process.execPath, [floorScript, cmd[1]], withoutCa],
  // its project is brought up by berth (-p <name> are the first two arguments; `up` goes to berth)
  'down-floor': (cmd) => (cmd.includes('down') ? [process.execPath, [downFloorScript, cmd[1]], withoutCa] : [berthBin, cmd]),
};

function run(tool, dir, cmd, { check = true } = {}) {
  const [bin, argv, env = process.env] = commands[tool](cmd);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, argv, { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (check && r.status !== 0) throw new Error(`${tool} ${cmd.join(' ')} failed (${r.status}): ${r.stderr}`);
  return s;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dirs = { 10: mkdtempSync(join(tmpdir(), 'berth-startup-10-')), 50: mkdtempSync(join(tmpdir(), 'berth-startup-50-')) };
writeFileSync(join(dirs[10], 'compose.yaml'), stackFile(10));
writeFileSync(join(dirs[50], 'compose.yaml'), stackFile(50));
const project = (tool, what) => `b19-startup-${RUN}-${what}-${tool === 'berth' ? 'b' : tool === 'down-floor' ? 'f' : 'c'}`;
const q = (p) => ['-p', p, '--progress', 'quiet'];
const TOOLS = ['berth', 'compose-ref'];

// Running stacks for the no-op ups and ps, one per tool (each tool's own labels and hashes)
const standing = [];
const need10 = ONLY.some((c) => c === 'noop10' || c === 'ps');
const need50 = ONLY.includes('noop50');
const samples = {};
const cases = {
  // (the floor lists berth's project: -p <name> are its first two arguments)
  noop10: { against: 'compose-ref', tools: [...TOOLS, 'floor'], cmd: (tool) => [...q(project(tool === 'floor' ? 'berth' : tool, 's10')), 'up', '-d'], dir: 10 },
  noop50: { against: 'compose-ref', tools: [...TOOLS, 'floor'], cmd: (tool) => [...q(project(tool === 'floor' ? 'berth' : tool, 's50')), 'up', '-d'], dir: 50 },
  version: { against: 'node', tools: ['berth', 'node', 'node-noca', 'compose-ref'], cmd: () => ['version'], dir: 10 },
  ps: { against: 'node', tools: ['berth', 'node', 'node-noca', 'compose-ref'], cmd: (tool) => [...q(project(tool, 's10')), 'ps'], dir: 10 },
  down: { against: 'compose-ref', tools: [...TOOLS, 'down-floor'], dir: 10 },
};
try {
  for (const tool of TOOLS) {
    if (need10) {
      standing.push([tool, 10, project(tool, 's10')]);
      run(tool, dirs[10], [...q(project(tool, 's10')), 'up', '-d']);
    }
    if (need50) {
      standing.push([tool, 50, project(tool, 's50')]);
      run(tool, dirs[50], [...q(project(tool, 's50')), 'up', '-d']);
    }
  }
  for (const name of ONLY) samples[name] = Object.fromEntries(cases[name].tools.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ONLY) {
      const c = cases[name];
      // rotate which tool goes first
      const order = c.tools.map((_, i) => c.tools[(i + round) % c.tools.length]);
      if (name === 'down') {
        // a project of its own per round: engine 20.10 now and then leaks a network's endpoint count on down
        const ps = Object.fromEntries(order.map((tool) => [tool, `${project(tool, 'down')}${round}`]));
        for (const tool of order) run(tool, dirs[10], [...q(ps[tool]), 'up', '-d']);
        for (const tool of order) samples.down[tool].push(run(tool, dirs[10], [...q(ps[tool]), 'down', '-t', '1']));
        continue;
      }
      for (const tool of order) samples[name][tool].push(run(tool, dirs[c.dir], c.cmd(tool)));
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  }
} finally {
  for (const [tool, n, p] of standing) run(tool, dirs[n], [...q(p), 'down', '-t', '1'], { check: false });
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padEnd(n);
const label = { noop10: 'S10 no-op up -d', noop50: 'S50 no-op up -d', version: 'version', ps: 'ps (10 running)', down: 'S10 down' };
const goal = { noop10: 1.2, noop50: 1.2, version: 1.15, ps: 1.15, down: 1.0 };
console.log(`${pad('case', 18)}${pad('berth ms', 10)}${pad('vs', 13)}${pad('its ms', 8)}${pad('ratio', 7)}${pad('goal', 6)}${pad('berth faster', 14)}others`);
for (const name of ONLY) {
  const c = cases[name];
  const s = samples[name];
  const b = median(s.berth);
  const o = median(s[c.against]);
  const faster = s.berth.filter((x, i) => x < s[c.against][i]).length;
  const others = c.tools.filter((t) => t !== 'berth' && t !== c.against).map((t) => `${t} ${(median(s[t]) * 1000).toFixed(1)} ms (berth ${(b / median(s[t])).toFixed(2)}x)`);
  console.log(
    `${pad(label[name], 18)}${pad((b * 1000).toFixed(1), 10)}${pad(c.against === 'node' ? 'node -e 0' : c.against, 13)}${pad((o * 1000).toFixed(1), 8)}${pad((b / o).toFixed(2), 7)}${pad(`${goal[name]}`, 6)}${pad(`${faster}/${s.berth.length}`, 14)}${others.join(', ')}`,
  );
}
const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`(medians of ${ROUNDS} paired rounds, tools interleaved; load average at the end ${load})`);
const leftovers = spawnSync('docker', ['network', 'ls', '--filter', `name=b19-startup-${RUN}-`, '--format', '{{.Name}}'], { encoding: 'utf8' }).stdout.trim();
if (leftovers) console.log(`networks a down could not remove (the engine's leaked endpoint count, docs/performance.md; a daemon restart releases them): ${leftovers.split('\n').join(' ')}`);
if (SAMPLES) writeFileSync(SAMPLES, `${JSON.stringify(samples, null, 1)}\n`);
