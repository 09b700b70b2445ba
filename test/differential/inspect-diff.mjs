#!/usr/bin/env node
// Differential check of what a stack looks like on the engine after `up -d` with docker compose (compose-ref,
// the oracle) and with berth. For one stack directory it runs, one tool after the other so that static IPs
// and published ports never collide:
//
//   compose-ref -p <A> up -d → inspect every container, network and volume of A (+ optional probes) → down -v
//   berth       -p <B> up -d → inspect ...B... → down -v
//
// then normalizes what legitimately differs between two runs (project names, ids, creation times, the
// version and config-hash labels, engine-assigned addresses, anonymous volume names, the order of lists
// compose builds from Go maps) and prints every remaining difference, one line each. Exit code: 0 when the
// two agree, 1 when they differ, 2 when the run itself failed.
//
//   node test/differential/inspect-diff.mjs fixtures/differential/<name> [more dirs...]
//
// A stack may hold `probes.json`: { "<service>": [["cat", "/run/secrets/x"], ...] }. Each command is run with
// `docker exec` in the service's first container under both tools and its exit code and output compared: that
// covers what inspect does not show (file contents of secrets and configs, ulimits as the process sees them).
//
// Plain JavaScript (typed by inspect-diff.d.mts) so that it runs with `node` without a build step.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROJECT_LABEL = 'com.docker.compose.project';
/** Labels whose values legitimately differ between the tools. */
const IGNORED_LABELS = new Set(['com.docker.compose.version', 'com.docker.compose.config-hash']);

/**
 * @param {string} cmd
 * @param {readonly string[]} args
 * @param {{ cwd?: string, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(cmd, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

const docker = (args) => run('docker', args);
const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Every object of the project on the engine, raw `docker inspect` documents. */
export async function snapshot(project) {
  const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`];
  const inspectAll = async (kind, ids) => (ids.length ? JSON.parse((await docker([kind, 'inspect', ...ids])).stdout || '[]') : []);
  const containers = await inspectAll('container', lines((await docker(['ps', '-aq', ...filter])).stdout));
  const networks = await inspectAll('network', lines((await docker(['network', 'ls', '-q', ...filter])).stdout));
  const volumes = await inspectAll('volume', lines((await docker(['volume', 'ls', '-q', ...filter])).stdout));
  return { containers, networks, volumes };
}

/** Remove whatever is left with the project's label (after a failed down, or a failed up). */
export async function forceCleanup(project) {
  const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`];
  const ids = lines((await docker(['ps', '-aq', ...filter])).stdout);
  if (ids.length) await docker(['rm', '-fv', ...ids]);
  const nets = lines((await docker(['network', 'ls', '-q', ...filter])).stdout);
  if (nets.length) await docker(['network', 'rm', ...nets]);
  const vols = lines((await docker(['volume', 'ls', '-q', ...filter])).stdout);
  if (vols.length) await docker(['volume', 'rm', '-f', ...vols]);
}

/** Runs each probe in the first container of its service; `{ "svc: cmd": "exit=0 out=..." }`. */
async function runProbes(project, probes) {
  const out = {};
  for (const [service, commands] of Object.entries(probes ?? {})) {
    for (const cmd of commands) {
      const r = await docker(['exec', `${project}-${service}-1`, ...cmd]);
      out[`${service}: ${cmd.join(' ')}`] = `exit=${r.code} out=${JSON.stringify(r.stdout)}${r.code ? ` err=${JSON.stringify(r.stderr.trim())}` : ''}`;
    }
  }
  return out;
}

// ---- normalization

const isEmpty = (v) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
/** A list of objects as an object keyed by one of their fields (first wins on a duplicate key, which is marked). */
function keyed(items, key) {
  const out = {};
  for (const item of items ?? []) {
    let k = String(item?.[key]);
    while (k in out) k += ' (again)';
    out[k] = item;
  }
  return out;
}
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A string rewriter for one run: container ids (full and 12-char) become `<id:NAME>`, network ids `<net:NAME>`,
 * anonymous volume names `<anon>`, and the project name `<P>`. Ids first, so that a name inside an id-derived
 * string is rewritten once.
 */
function rewriter(project, snap) {
  const pairs = [];
  const shortName = (n) => n.replace(/^\//, '').split(project).join('<P>');
  for (const c of snap.containers) {
    pairs.push([c.Id, `<id:${shortName(c.Name)}>`]);
    pairs.push([c.Id.slice(0, 12), `<id:${shortName(c.Name)}>`]);
  }
  for (const n of snap.networks) pairs.push([n.Id, `<net:${shortName(n.Name)}>`]);
  const re = pairs.length ? new RegExp(pairs.map(([k]) => escapeRe(k)).sort((a, b) => b.length - a.length).join('|'), 'g') : undefined;
  const map = new Map(pairs);
  return (s) => {
    let out = re ? s.replace(re, (m) => map.get(m)) : s;
    out = out.replace(/\b[0-9a-f]{64}\b/g, '<anon>');
    return out.split(project).join('<P>');
  };
}

function deepRewrite(value, fn) {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => deepRewrite(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [fn(k), deepRewrite(v, fn)]));
  return value;
}

/** The MAC address the engine derives from an IPv4 address (02:42 + the four bytes). */
const macOfIp = (ip) => (ip ? `02:42:${ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0')).join(':')}` : undefined);

function normalizeEndpoint(ep) {
  const staticV4 = ep.IPAMConfig?.IPv4Address;
  const staticV6 = ep.IPAMConfig?.IPv6Address;
  const out = {
    Aliases: ep.Aliases,
    Links: ep.Links,
    IPAMConfig: ep.IPAMConfig,
    DriverOpts: ep.DriverOpts,
    // Engine-assigned addresses differ from run to run; they are compared only when the stack asks for them.
    IPAddress: staticV4 ? ep.IPAddress : undefined,
    IPPrefixLen: staticV4 ? ep.IPPrefixLen : undefined,
    Gateway: staticV4 ? ep.Gateway : undefined,
    GlobalIPv6Address: staticV6 ? ep.GlobalIPv6Address : undefined,
    MacAddress: ep.MacAddress && ep.MacAddress === macOfIp(ep.IPAddress) ? '<derived from IP>' : ep.MacAddress,
  };
  return out;
}

function normalizeLabels(labels) {
  const out = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (IGNORED_LABELS.has(k)) continue;
    // compose builds depends_on from a Go map: its order is random
    out[k] = k === 'com.docker.compose.depends_on' ? v.split(',').filter(Boolean).sort().join(',') : v;
  }
  return out;
}

function normalizeContainer(c) {
  const hc = { ...c.HostConfig };
  // Lists compose builds by iterating Go maps: their order carries no meaning. Lists of objects become objects
  // keyed by what identifies an entry, so that a difference names the entry and the field.
  if (hc.Binds) hc.Binds = [...hc.Binds].sort();
  if (hc.ExtraHosts) hc.ExtraHosts = [...hc.ExtraHosts].sort();
  if (hc.Mounts) hc.Mounts = keyed(hc.Mounts, 'Target');
  if (hc.Ulimits) hc.Ulimits = keyed(hc.Ulimits, 'Name');
  const config = { ...c.Config, Labels: normalizeLabels(c.Config?.Labels) };
  if (config.Env) config.Env = [...config.Env].sort();
  const networks = Object.fromEntries(Object.entries(c.NetworkSettings?.Networks ?? {}).map(([k, ep]) => [k, normalizeEndpoint(ep)]));
  return {
    Name: c.Name,
    Path: c.Path,
    Args: c.Args,
    State: { Status: c.State?.Status, Running: c.State?.Running, ExitCode: c.State?.ExitCode, OOMKilled: c.State?.OOMKilled },
    Platform: c.Platform,
    AppArmorProfile: c.AppArmorProfile,
    Config: config,
    HostConfig: hc,
    Mounts: keyed(c.Mounts, 'Destination'),
    Ports: c.NetworkSettings?.Ports,
    Networks: networks,
  };
}

function normalizeNetwork(n, explicitIpam) {
  return {
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    EnableIPv6: n.EnableIPv6,
    Internal: n.Internal,
    Attachable: n.Attachable,
    Ingress: n.Ingress,
    // the engine picks a subnet from its pools unless the stack gives one
    IPAM: { Driver: n.IPAM?.Driver, Options: n.IPAM?.Options, Config: explicitIpam ? n.IPAM?.Config : undefined },
    Options: n.Options,
    Labels: normalizeLabels(n.Labels),
  };
}

function normalizeVolume(v) {
  return { Name: v.Name, Driver: v.Driver, Scope: v.Scope, Options: v.Options, Labels: normalizeLabels(v.Labels), Mountpoint: v.Mountpoint };
}

/**
 * One run's objects keyed by normalized name, ready to compare.
 * @param {string} project
 * @param {{ containers: any[], networks: any[], volumes: any[] }} snap
 * @param {ReadonlySet<string>} explicitIpam normalized names of networks whose IPAM config the stack sets
 */
export function normalize(project, snap, explicitIpam = new Set()) {
  const fn = rewriter(project, snap);
  const out = {};
  for (const c of snap.containers) {
    const n = deepRewrite(normalizeContainer(c), fn);
    out[`container ${n.Name.replace(/^\//, '')}`] = n;
  }
  for (const net of snap.networks) {
    const name = fn(net.Name);
    out[`network ${name}`] = deepRewrite(normalizeNetwork(net, explicitIpam.has(name)), fn);
  }
  for (const v of snap.volumes) out[`volume ${fn(v.Name)}`] = deepRewrite(normalizeVolume(v), fn);
  return out;
}

// ---- comparison

const show = (v) => (v === undefined ? 'absent' : JSON.stringify(v));
const isPrimitiveArray = (v) => Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');

/** Every difference between two normalized values, as `path: compose-ref=... berth=...`. */
export function diff(ref, ours, path = '') {
  if (isEmpty(ref) && isEmpty(ours)) return [];
  const here = () => [`${path}: compose-ref=${show(isEmpty(ref) ? undefined : ref)} berth=${show(isEmpty(ours) ? undefined : ours)}`];
  if (Array.isArray(ref) && Array.isArray(ours)) {
    if (isPrimitiveArray(ref) || isPrimitiveArray(ours) || ref.length !== ours.length) return JSON.stringify(ref) === JSON.stringify(ours) ? [] : here();
    return ref.flatMap((r, i) => diff(r, ours[i], `${path}[${i}]`));
  }
  if (ref && ours && typeof ref === 'object' && typeof ours === 'object' && !Array.isArray(ref) && !Array.isArray(ours)) {
    const keys = [...new Set([...Object.keys(ref), ...Object.keys(ours)])].sort();
    return keys.flatMap((k) => diff(ref[k], ours[k], path ? `${path}.${k}` : k));
  }
  return ref === ours ? [] : here();
}

/** Differences between two normalized runs, objects missing on one side included. */
export function compareRuns(ref, ours) {
  const out = [];
  for (const key of [...new Set([...Object.keys(ref), ...Object.keys(ours)])].sort()) {
    if (!(key in ours)) out.push(`${key}: only with compose-ref`);
    else if (!(key in ref)) out.push(`${key}: only with berth`);
    else out.push(...diff(ref[key], ours[key]).map((d) => `${key}: ${d}`));
  }
  return out;
}

// ---- a whole run

/**
 * Brings the stack up with one tool, records it, and takes it down again (cleanup even when up failed).
 * @returns {Promise<{ project: string, snap: any, probes: Record<string, string>, errors: string[] }>}
 */
async function oneRun(tool, cmd, baseArgs, project, dir, probes) {
  const errors = [];
  try {
    const up = await run(cmd, [...baseArgs, '-p', project, 'up', '-d'], { cwd: dir });
    if (up.code !== 0) errors.push(`${tool}: up -d failed (exit ${up.code}): ${up.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const snap = await snapshot(project);
    const probed = up.code === 0 ? await runProbes(project, probes) : {};
    return { project, snap, probes: probed, errors };
  } finally {
    const down = await run(cmd, [...baseArgs, '-p', project, 'down', '-v', '-t', '1'], { cwd: dir });
    if (down.code !== 0) errors.push(`${tool}: down -v failed (exit ${down.code}): ${down.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    await forceCleanup(project);
  }
}

/** The two project names of a run with this prefix and tag (distinct, neither a substring of the other). */
export function projectNames(prefix, tag) {
  return { ref: `${prefix}-ref-${tag}`, berth: `${prefix}-berth-${tag}` };
}

/**
 * Runs the stack under both tools and returns every difference (empty when they agree) and run errors.
 * The stack directory is copied to a temporary directory first, so that host paths the tools create (binds
 * with create_host_path) never land in the source tree; both tools run on the same copy.
 * @param {string} dir stack directory (holding compose.yaml)
 * @param {{ composeRef?: string, berthBin?: string, prefix?: string, tag?: string }} [options]
 */
export async function differential(dir, options = {}) {
  const source = resolve(dir);
  const stackDir = join(mkdtempSync(join(tmpdir(), 'bdiff-')), basename(source));
  cpSync(source, stackDir, { recursive: true });
  try {
    return await differentialIn(stackDir, options);
  } finally {
    rmSync(dirname(stackDir), { recursive: true, force: true });
  }
}

async function differentialIn(stackDir, options) {
  const names = projectNames(options.prefix ?? 'bdiff', options.tag ?? randomBytes(3).toString('hex'));
  const refProject = names.ref;
  const ourProject = names.berth;
  const composeRef = options.composeRef ?? 'compose-ref';
  const berthBin = options.berthBin ?? join(repoRoot, 'bin', 'berth.js');
  const probesFile = join(stackDir, 'probes.json');
  const probes = existsSync(probesFile) ? JSON.parse(readFileSync(probesFile, 'utf8')) : {};

  // Which networks the stack gives an IPAM config (their subnets are compared; others are engine-picked).
  const cfg = await run(composeRef, ['-p', refProject, 'config', '--format', 'json'], { cwd: stackDir });
  if (cfg.code !== 0) return { differences: [], errors: [`compose-ref config failed: ${cfg.stderr.trim()}`] };
  const model = JSON.parse(cfg.stdout);
  const explicitIpam = new Set(
    Object.values(model.networks ?? {})
      .filter((n) => n.ipam?.config?.length)
      .map((n) => n.name.split(refProject).join('<P>')),
  );

  const ref = await oneRun('compose-ref', composeRef, [], refProject, stackDir, probes);
  const ours = await oneRun('berth', process.execPath, [berthBin], ourProject, stackDir, probes);
  const errors = [...ref.errors, ...ours.errors];
  const differences = compareRuns(normalize(refProject, ref.snap, explicitIpam), normalize(ourProject, ours.snap, explicitIpam));
  for (const key of [...new Set([...Object.keys(ref.probes), ...Object.keys(ours.probes)])].sort()) {
    if (ref.probes[key] !== ours.probes[key]) differences.push(`probe ${key}: compose-ref=${ref.probes[key] ?? 'absent'} berth=${ours.probes[key] ?? 'absent'}`);
  }
  return { differences, errors, counts: { containers: ref.snap.containers.length, networks: ref.snap.networks.length, volumes: ref.snap.volumes.length } };
}

async function main(argv) {
  const dirs = argv.filter((a) => !a.startsWith('-'));
  if (!dirs.length) {
    process.stderr.write('usage: node test/differential/inspect-diff.mjs <stack dir> [more stack dirs]\n');
    return 2;
  }
  let status = 0;
  for (const dir of dirs) {
    const { differences, errors, counts } = await differential(dir);
    const summary = counts ? ` (${counts.containers} containers, ${counts.networks} networks, ${counts.volumes} volumes)` : '';
    process.stdout.write(`== ${dir}${summary}: ${differences.length} difference(s)${errors.length ? `, ${errors.length} error(s)` : ''}\n`);
    for (const e of errors) process.stdout.write(`  error: ${e}\n`);
    for (const d of differences) process.stdout.write(`  ${d}\n`);
    if (errors.length) status = 2;
    else if (differences.length && status === 0) status = 1;
  }
  return status;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(2);
    },
  );
}
