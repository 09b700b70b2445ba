// `stack deploy`, `ls`, `ps`, `services`, `rm` against a swarm manager: converge the swarm on the file.
// Unlike docker stack deploy, a service is updated only when its normalised spec differs (spec-diff.ts), so
// a deploy of an unchanged file leaves every version index as it was.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Engine, ServiceInfo, ServiceSpec, TaskInfo } from '../../engine/types.js';
import { BerthError, EngineError, ErrorCodes } from '../../model/errors.js';
import type { FileObjectConfig, Project } from '../../model/types.js';
import { CONTENT_HASH_LABEL, convertStack, objectSpec, STACK_NAMESPACE_LABEL, type StackObjectSpec } from './convert.js';
import { at, isObject, items } from '../json.js';
import { normalizeSpec, specDifferences } from './spec-diff.js';

export interface StackDeployOptions {
  readonly engine: Engine;
  readonly project: Project;
  readonly stack: string;
  readonly prune?: boolean;
  /**
   * Accepted for docker stack's flag; berth sends image names as written and never pins registry digests
   * (the nodes may have no registry), so every value deploys the same specs.
   */
  readonly resolveImage?: 'always' | 'changed' | 'never';
  readonly withRegistryAuth?: boolean;
  /** false: wait until every changed service has converged */
  readonly detach?: boolean;
  readonly dryRun?: boolean;
  /** Progress lines as docker stack deploy prints them ("Creating service s_web"). */
  readonly onLine?: (line: string) => void;
  /** Convergence wait limit in ms (detach false). */
  readonly timeoutMs?: number;
}

export interface StackPlanStep {
  readonly action: 'create' | 'update' | 'keep' | 'remove';
  readonly kind: 'network' | 'secret' | 'config' | 'service';
  readonly name: string;
  readonly reason: string;
}

export interface StackDeployResult {
  readonly plan: readonly StackPlanStep[];
  readonly warnings: string;
}

/** One line per step, as `up --dry-run` prints its plan: "<action> <kind> <name> (<cause>)". */
export function stackPlanText(plan: readonly StackPlanStep[]): string {
  return plan.map((s) => `${s.action} ${s.kind} ${s.name} (${s.reason})\n`).join('');
}

async function requireManager(engine: Engine): Promise<void> {
  const s = await engine.swarmState();
  if (s.localNodeState !== 'active' || !s.controlAvailable) {
    throw new BerthError(ErrorCodes.USAGE, 'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again');
  }
}

/** The bytes of a secret or config: its file, the named environment variable, or inline content. */
function objectContent(project: Project, kind: string, key: string, c: FileObjectConfig): Buffer {
  if (c.file !== undefined) {
    const path = isAbsolute(c.file) ? c.file : resolve(project.meta.workingDir, c.file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new BerthError(ErrorCodes.USAGE, `${kind} "${key}": cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (c.environment !== undefined) {
    const v = project.meta.environment[c.environment] ?? process.env[c.environment];
    if (v === undefined) throw new BerthError(ErrorCodes.USAGE, `${kind} "${key}": environment variable ${c.environment} is not set`);
    return Buffer.from(v);
  }
  if (c.content !== undefined) return Buffer.from(c.content);
  throw new BerthError(ErrorCodes.USAGE, `${kind} "${key}": needs file, environment, content or external`);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Secrets and configs some service uses, with their content-addressed names. */
function stackObjects(project: Project, stack: string, kind: 'secrets' | 'configs'): { specs: StackObjectSpec[]; data: Map<string, Buffer> } {
  const used = new Set<string>();
  for (const s of Object.values(project.services)) {
    for (const r of s[kind] ?? []) used.add(r.source);
  }
  const specs: StackObjectSpec[] = [];
  const data = new Map<string, Buffer>();
  for (const key of [...used].sort()) {
    const c = project[kind]?.[key];
    if (!c) throw new BerthError(ErrorCodes.USAGE, `service refers to undefined ${kind.slice(0, -1)} ${key}`);
    if (c.external) {
      specs.push(objectSpec(stack, key, c, undefined));
      continue;
    }
    const content = objectContent(project, kind.slice(0, -1), key, c);
    const spec = objectSpec(stack, key, c, sha256(content));
    specs.push(spec);
    data.set(spec.name, content);
  }
  return { specs, data };
}

export async function stackDeploy(o: StackDeployOptions): Promise<StackDeployResult> {
  const { engine, project, stack } = o;
  const say = o.onLine ?? (() => {});
  await requireManager(engine);
  // as for up: a file that names no service is a mistake, never a plan (with --prune it would remove the stack)
  if (Object.keys(project.services).length === 0) {
    throw new BerthError(ErrorCodes.NO_SERVICES, `no service selected: ${project.meta.composeFiles.join(', ')} defines no services: add them under services:`);
  }
  for (const s of Object.values(project.services)) {
    if (!s.image) throw new BerthError(ErrorCodes.USAGE, `service ${Object.keys(project.services).find((k) => project.services[k] === s)} has neither an image nor an image name for its build; docker stack deploy needs images`);
  }
  const plan: StackPlanStep[] = [];
  const label = [`${STACK_NAMESPACE_LABEL}=${stack}`];

  // secrets and configs first: services refer to them by name and id
  const objectIds = { secrets: new Map<string, string>(), configs: new Map<string, string>() };
  const names: { secrets: Record<string, string>; configs: Record<string, string> } = { secrets: {}, configs: {} };
  const wanted = { secrets: new Set<string>(), configs: new Set<string>() };
  for (const kind of ['secrets', 'configs'] as const) {
    const { specs, data } = stackObjects(project, stack, kind);
    const list = kind === 'secrets' ? () => engine.listSecrets({}) : () => engine.listConfigs({});
    const existing = new Map((await list()).map((x) => [x.name, x.id]));
    for (const s of specs) {
      names[kind][s.key] = s.name;
      wanted[kind].add(s.name);
      const id = existing.get(s.name);
      if (id) {
        objectIds[kind].set(s.name, id);
        continue;
      }
      if (s.external) throw new BerthError(ErrorCodes.USAGE, `${kind.slice(0, -1)} not found: ${s.name}`);
      plan.push({ action: 'create', kind: kind === 'secrets' ? 'secret' : 'config', name: s.name, reason: 'new content' });
      if (o.dryRun) continue;
      say(`Creating ${kind.slice(0, -1)} ${s.name}`);
      const request = { Name: s.name, Labels: s.labels, Data: data.get(s.name)! };
      const r = kind === 'secrets' ? await engine.createSecret(request) : await engine.createConfig(request);
      objectIds[kind].set(s.name, r.id);
    }
  }

  const conversion = convertStack(project, stack, names);

  // networks
  const networks = await engine.listNetworks({});
  const idToName = new Map(networks.map((n) => [n.id, n.name]));
  for (const [key, n] of Object.entries(conversion.networks)) {
    const found = networks.find((x) => x.name === n.name);
    if (n.external) {
      if (!found) throw new BerthError(ErrorCodes.USAGE, `network "${n.name}" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed`);
      continue;
    }
    if (found) continue;
    plan.push({ action: 'create', kind: 'network', name: n.name, reason: `missing (network ${key})` });
    if (o.dryRun) continue;
    say(`Creating network ${n.name}`);
    const r = await engine.createNetwork({ ...n.request!, CheckDuplicate: true });
    idToName.set(r.id, n.name);
  }

  // services
  const current = new Map((await engine.listServices({ labels: label })).map((s) => [s.spec.Name, s]));
  const changed: string[] = [];
  for (const [key, desired] of Object.entries(conversion.services)) {
    const spec = withObjectIds(desired, objectIds);
    const have = current.get(spec.Name);
    if (!have) {
      plan.push({ action: 'create', kind: 'service', name: spec.Name, reason: `missing (service ${key})` });
      if (o.dryRun) continue;
      say(`Creating service ${spec.Name}`);
      const r = await engine.createService(spec, { withRegistryAuth: o.withRegistryAuth });
      for (const w of r.warnings ?? []) say(w);
      changed.push(r.id);
      continue;
    }
    const diffs = specDifferences(normalizeSpec(have.spec, (x) => idToName.get(x) ?? x), normalizeSpec(spec));
    if (!diffs.length) {
      plan.push({ action: 'keep', kind: 'service', name: spec.Name, reason: 'up to date' });
      continue;
    }
    plan.push({ action: 'update', kind: 'service', name: spec.Name, reason: `changed: ${diffs.slice(0, 4).join(', ')}${diffs.length > 4 ? ', …' : ''}` });
    if (o.dryRun) continue;
    say(`Updating service ${spec.Name} (id: ${have.id})`);
    const r = await engine.updateService(have.id, have.version, spec, { withRegistryAuth: o.withRegistryAuth });
    for (const w of r.warnings ?? []) say(w);
    changed.push(have.id);
  }

  if (o.prune) {
    const keep = new Set(Object.values(conversion.services).map((s) => s.Name));
    for (const s of current.values()) {
      if (keep.has(s.spec.Name)) continue;
      plan.push({ action: 'remove', kind: 'service', name: s.spec.Name, reason: 'not in the compose file (--prune)' });
      if (o.dryRun) continue;
      say(`Removing service ${s.spec.Name}`);
      await engine.removeService(s.id);
    }
  }

  // older content of this stack's secrets and configs, now that no service refers to it
  for (const kind of ['secrets', 'configs'] as const) {
    const list = kind === 'secrets' ? await engine.listSecrets({ labels: label }) : await engine.listConfigs({ labels: label });
    for (const x of list) {
      if (!(CONTENT_HASH_LABEL in x.labels) || wanted[kind].has(x.name)) continue;
      plan.push({ action: 'remove', kind: kind === 'secrets' ? 'secret' : 'config', name: x.name, reason: 'replaced by new content' });
      if (o.dryRun) continue;
      try {
        if (kind === 'secrets') await engine.removeSecret(x.id);
        else await engine.removeConfig(x.id);
      } catch {
        // still in use by a service outside this file (or one --prune kept): left for a later deploy
      }
    }
  }

  if (!o.dryRun && o.detach === false && changed.length) await waitConverged(engine, changed, say, o.timeoutMs ?? 300_000);
  return { plan, warnings: conversion.warnings };
}

function withObjectIds(spec: ServiceSpec, ids: { secrets: Map<string, string>; configs: Map<string, string> }): ServiceSpec {
  const s = structuredClone(spec);
  const containerSpec = at(s, 'TaskTemplate', 'ContainerSpec');
  for (const ref of items(at(containerSpec, 'Secrets'))) if (isObject(ref)) ref.SecretID = ids.secrets.get(String(ref.SecretName)) ?? ref.SecretID;
  for (const ref of items(at(containerSpec, 'Configs'))) if (isObject(ref)) ref.ConfigID = ids.configs.get(String(ref.ConfigName)) ?? ref.ConfigID;
  return s;
}

/** Desired replica count of a service (global: one per ready node); undefined for jobs. */
function wantedTasks(s: ServiceInfo, readyNodes: number): number | undefined {
  const replicated = at(s.spec, 'Mode', 'Replicated');
  if (replicated) return Number(at(replicated, 'Replicas') ?? 1);
  if (at(s.spec, 'Mode', 'Global')) return readyNodes;
  return undefined;
}

/**
 * Wait until every service has as many running tasks of its current spec as it wants and no update in
 * progress, printing "<service>: n/m running" as counts change. An update that pauses or rolls back fails.
 */
export async function waitConverged(engine: Engine, ids: readonly string[], say: (line: string) => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const last = new Map<string, string>();
  const reported = new Set<string>();
  for (;;) {
    const nodes = (await engine.listNodes()).filter((n) => n.state === 'ready' && n.availability === 'active').length;
    let done = true;
    for (const id of ids) {
      const s = await engine.inspectService(id);
      if (!s) continue;
      const state = s.updateStatus?.State;
      if (state === 'paused' || state === 'rollback_completed' || state === 'rollback_paused') {
        throw new BerthError(ErrorCodes.UNHEALTHY, `service ${s.spec.Name}: update ${state}${s.updateStatus?.Message ? `: ${s.updateStatus.Message}` : ''}`);
      }
      const want = wantedTasks(s, nodes);
      const tasks: TaskInfo[] = await engine.listTasks({ services: [s.id] });
      // a task is current when it was made from the service's present container spec
      const template = JSON.stringify(normalizeSpec(at(s.spec, 'TaskTemplate', 'ContainerSpec') ?? {}));
      const current = (t: TaskInfo) => !t.spec || JSON.stringify(normalizeSpec(at(t.spec, 'ContainerSpec') ?? {})) === template;
      const running = tasks.filter((t) => t.desiredState === 'running' && t.state === 'running' && current(t)).length;
      const line = `${s.spec.Name}: ${running}/${want ?? '?'} running${state === 'updating' ? ' (updating)' : ''}`;
      if (last.get(id) !== line) say(line);
      last.set(id, line);
      // why tasks fail (unhealthy, image missing on a node, no suitable node), each reason once
      for (const t of tasks) {
        const why = t.error ?? (t.state === 'pending' ? t.message : undefined);
        if (!why || (t.state !== 'failed' && t.state !== 'rejected' && t.state !== 'pending')) continue;
        const note = `${s.spec.Name}: task ${t.state}: ${why}`;
        if (!reported.has(note)) say(note);
        reported.add(note);
      }
      if ((want !== undefined && running < want) || state === 'updating' || state === 'rollback_started') done = false;
      if (tasks.some((t) => t.desiredState === 'running' && !current(t))) done = false;
    }
    if (done) return;
    if (Date.now() > deadline) throw new BerthError(ErrorCodes.TIMEOUT, `services did not converge within ${Math.round(timeoutMs / 1000)}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---- ls, ps, services, rm

export interface StackEntry {
  readonly name: string;
  readonly services: number;
}

export async function stackList(engine: Engine): Promise<StackEntry[]> {
  await requireManager(engine);
  const counts = new Map<string, number>();
  for (const s of await engine.listServices({ labels: [STACK_NAMESPACE_LABEL] })) {
    const n = s.spec.Labels?.[STACK_NAMESPACE_LABEL];
    if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, services]) => ({ name, services }));
}

export interface StackServiceEntry {
  readonly id: string;
  readonly name: string;
  readonly mode: string;
  /** "running/desired" */
  readonly replicas: string;
  readonly image: string;
  readonly ports: string;
  readonly version: number;
}

export async function stackServices(engine: Engine, stack: string): Promise<StackServiceEntry[]> {
  await requireManager(engine);
  const services = await engine.listServices({ labels: [`${STACK_NAMESPACE_LABEL}=${stack}`] });
  const tasks = await engine.listTasks({ labels: [`${STACK_NAMESPACE_LABEL}=${stack}`] });
  const nodes = (await engine.listNodes()).filter((n) => n.state === 'ready').length;
  return services
    .map((s) => {
      const mode = Object.keys(isObject(s.spec.Mode) ? s.spec.Mode : { Replicated: {} })[0].replace(/^[A-Z]/, (c) => c.toLowerCase()).replace('Job', '-job');
      const running = tasks.filter((t) => t.serviceId === s.id && t.state === 'running' && t.desiredState === 'running').length;
      const want = wantedTasks(s, nodes);
      const ports = items(at(s.spec, 'EndpointSpec', 'Ports'))
        .map((p) => `*:${String(at(p, 'PublishedPort'))}->${String(at(p, 'TargetPort'))}/${String(at(p, 'Protocol'))}`)
        .join(', ');
      const image = String(at(s.spec, 'TaskTemplate', 'ContainerSpec', 'Image') ?? '').replace(/@sha256:.*$/, '');
      return { id: s.id, name: s.spec.Name, mode, replicas: `${running}/${want ?? '?'}`, image, ports, version: s.version };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface StackTaskEntry {
  readonly id: string;
  /** <service>.<slot> (replicated) or <service>.<node id> (global) */
  readonly name: string;
  readonly image: string;
  readonly node: string;
  readonly desiredState: string;
  readonly currentState: string;
  /** When the task reached its current state (RFC 3339). */
  readonly since: string;
  readonly error: string;
}

export async function stackTasks(engine: Engine, stack: string): Promise<StackTaskEntry[]> {
  await requireManager(engine);
  const services = new Map((await engine.listServices({ labels: [`${STACK_NAMESPACE_LABEL}=${stack}`] })).map((s) => [s.id, s.spec.Name]));
  const nodes = new Map((await engine.listNodes()).map((n) => [n.id, n.hostname]));
  const tasks = await engine.listTasks({ labels: [`${STACK_NAMESPACE_LABEL}=${stack}`] });
  return tasks
    .filter((t) => services.has(t.serviceId))
    .sort((a, b) => services.get(a.serviceId)!.localeCompare(services.get(b.serviceId)!) || (a.slot ?? 0) - (b.slot ?? 0) || b.timestamp.localeCompare(a.timestamp))
    .map((t) => ({
      id: t.id,
      name: `${services.get(t.serviceId)}.${t.slot ?? t.nodeId}`,
      image: t.image.replace(/@sha256:.*$/, ''),
      node: nodes.get(t.nodeId) ?? t.nodeId,
      desiredState: t.desiredState.replace(/^./, (c) => c.toUpperCase()),
      currentState: t.state.replace(/^./, (c) => c.toUpperCase()),
      since: t.timestamp,
      error: t.error ?? '',
    }));
}

/** Remove a stack's services, secrets, configs and networks (by the namespace label), as docker stack rm does. */
export async function stackRemove(engine: Engine, stack: string, say: (line: string) => void): Promise<boolean> {
  await requireManager(engine);
  const label = [`${STACK_NAMESPACE_LABEL}=${stack}`];
  const services = await engine.listServices({ labels: label });
  const secrets = await engine.listSecrets({ labels: label });
  const configs = await engine.listConfigs({ labels: label });
  const networks = await engine.listNetworks({ labels: label });
  if (!services.length && !secrets.length && !configs.length && !networks.length) {
    say(`Nothing found in stack: ${stack}`);
    return false;
  }
  for (const s of services.sort((a, b) => a.spec.Name.localeCompare(b.spec.Name))) {
    say(`Removing service ${s.spec.Name}`);
    await engine.removeService(s.id);
  }
  for (const s of secrets) {
    say(`Removing secret ${s.name}`);
    await engine.removeSecret(s.id);
  }
  for (const c of configs) {
    say(`Removing config ${c.name}`);
    await engine.removeConfig(c.id);
  }
  for (const n of networks) {
    say(`Removing network ${n.name}`);
    // the tasks' endpoints go with their containers, a moment after the services: retry briefly
    for (let i = 0; ; i++) {
      try {
        await engine.removeNetwork(n.id);
        break;
      } catch (err) {
        if (err instanceof EngineError && err.code === ErrorCodes.ENGINE_NOT_FOUND) break;
        if (i >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  // the manager lists a removed overlay network until its last endpoint has gone; a deploy right after
  // would take it for present and fail to attach services to it, so return only once it is gone
  for (let i = 0; i < 40 && (await engine.listNetworks({ labels: label })).length; i++) await new Promise((r) => setTimeout(r, 500));
  return true;
}
