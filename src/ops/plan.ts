// The plan: a DAG of single engine operations, each with the reason it exists. Reconcile builds it (pure),
// execute walks it (each op runs as soon as the ops it depends on are done), and it prints one line per
// operation in a deterministic order, which is what golden tests compare and `--dry-run` shows.
import type { RecordedWrite } from '../engine/dry-run.js';
import type { ContainerSummary } from '../engine/types.js';
import type { ServiceGraph } from '../graph/index.js';
import type { DependsOn } from '../model/types.js';

/** A container that exists now, or the one a create op of this plan will make. */
export type ContainerTarget = { readonly existing: string } | { readonly created: string };

export type Op =
  | { readonly kind: 'create-network'; readonly key: string; readonly name: string }
  | { readonly kind: 'create-volume'; readonly key: string; readonly name: string }
  | {
      readonly kind: 'create-container';
      readonly service: string;
      readonly number: number;
      /** The name it finally has. */
      readonly name: string;
      /** Created under this name while the container it replaces still exists (recreate). */
      readonly tempName?: string;
      readonly replaces?: ContainerSummary;
      readonly inheritVolumes: readonly { readonly name: string; readonly target: string }[];
      /** Services whose container this one refers to (network_mode/ipc/pid service:, volumes_from). */
      readonly refersTo: readonly string[];
    }
  | { readonly kind: 'start-container'; readonly service: string; readonly name: string; readonly target: ContainerTarget; readonly hooks?: HookCounts }
  | { readonly kind: 'stop-container'; readonly service: string; readonly name: string; readonly id: string; readonly hooks?: HookCounts }
  | { readonly kind: 'remove-container'; readonly service: string; readonly name: string; readonly id: string }
  | { readonly kind: 'rename-container'; readonly service: string; readonly from: string; readonly name: string; readonly target: ContainerTarget }
  | { readonly kind: 'restart-container'; readonly service: string; readonly name: string; readonly id: string; readonly hooks?: HookCounts }
  | {
      readonly kind: 'wait';
      readonly service: string;
      readonly condition: DependsOn['condition'];
      readonly containers: readonly { readonly name: string; readonly target: ContainerTarget }[];
      /** When false (required: false), a failure is reported and tolerated. */
      readonly required: boolean;
    }
  /** A write the dry-run engine recorded (engine/dry-run.ts), in its words: "push image r/app:v1". */
  | { readonly kind: 'engine'; readonly method: string; readonly text: string };

/** Lifecycle hooks an op runs with it (hooks.ts, pre-start.ts say when); only kinds with at least one. */
export interface HookCounts {
  readonly pre_start?: number;
  readonly post_start?: number;
  readonly pre_stop?: number;
}

/** " with 1 pre_start and 2 post_start hooks", in that fixed order; empty without hooks. */
function hookText(h: HookCounts | undefined): string {
  const parts = (['pre_start', 'pre_stop', 'post_start'] as const).filter((k) => h?.[k]).map((k) => `${h![k]} ${k}`);
  if (!parts.length) return '';
  const total = parts.reduce((n, p) => n + Number(p.split(' ')[0]), 0);
  return ` with ${parts.join(' and ')} hook${total > 1 ? 's' : ''}`;
}

export interface PlanOp {
  readonly id: string;
  readonly op: Op;
  /** Ids of the ops that must be done before this one starts. */
  readonly after: readonly string[];
  readonly reason: string;
}

/** What the plan leaves alone, and why (printed so that every container is accounted for). */
export interface Kept {
  readonly kind: 'network' | 'volume' | 'container';
  readonly service?: string;
  readonly name: string;
  readonly reason: string;
  readonly id?: string;
  readonly running?: boolean;
}

export interface Plan {
  readonly project: string;
  readonly graph: ServiceGraph;
  /** Services acted upon: those asked for plus their dependencies. */
  readonly services: readonly string[];
  readonly pulls: readonly { readonly service: string; readonly image: string }[];
  readonly ops: readonly PlanOp[];
  readonly kept: readonly Kept[];
  readonly warnings: readonly string[];
  /** Containers each service ends with, for --wait and attach. */
  readonly final: Readonly<Record<string, readonly { readonly name: string; readonly target: ContainerTarget }[]>>;
  /** Resources declared external that do not exist: up fails before touching anything. */
  readonly missingExternal: readonly { readonly kind: 'network' | 'volume'; readonly name: string }[];
}

function describe(op: Op): string {
  switch (op.kind) {
    case 'create-network':
      return `create network ${op.name}`;
    case 'create-volume':
      return `create volume ${op.name}`;
    case 'create-container':
      return op.tempName ? `create container ${op.tempName}` : `create container ${op.name}`;
    case 'start-container':
      return `start container ${op.name}${hookText(op.hooks)}`;
    case 'stop-container':
      return `stop container ${op.name}${hookText(op.hooks)}`;
    case 'remove-container':
      return `remove container ${op.name}`;
    case 'rename-container':
      return `rename container ${op.from} to ${op.name}`;
    case 'restart-container':
      return `restart container ${op.name}${hookText(op.hooks)}`;
    case 'engine':
      return op.text;
    case 'wait': {
      const what = op.condition === 'service_healthy' ? 'healthy' : op.condition === 'service_completed_successfully' ? 'completed successfully' : 'started';
      return `wait for ${op.containers.map((c) => c.name).join(', ')} ${what}`;
    }
  }
}

/**
 * One line per operation, `<operation> (<reason>)`, in a topological order of the DAG with ties broken by
 * the order reconcile emitted them, which itself follows names and the service graph: deterministic.
 * Kept objects follow as `keep <kind> <name> (<reason>)`.
 */
export function planText(plan: Pick<Plan, 'pulls' | 'ops' | 'kept' | 'warnings'>, options: PlanTextOptions = {}): string {
  const lines: string[] = [];
  for (const p of plan.pulls) lines.push(`pull image ${p.image} (service ${p.service}: image missing)`);
  const byId = new Map(plan.ops.map((o) => [o.id, o]));
  for (const op of topological(plan.ops)) lines.push(planLine(op, options.edges ? byId : undefined));
  for (const k of plan.kept) lines.push(`keep ${k.kind} ${k.name} (${k.reason})`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.map((l) => `${l}\n`).join('');
}

export interface PlanTextOptions {
  /** Show what each operation waits for: ` after: <operation>, <operation>` (the plan's edges). */
  readonly edges?: boolean;
}

/** One operation's line: `<operation> (<reason>)`, and with `ops` given, ` after: …` naming its dependencies. */
export function planLine(op: PlanOp, ops?: ReadonlyMap<string, PlanOp>): string {
  const line = `${describe(op.op)} (${op.reason})`;
  if (!ops || !op.after.length) return line;
  return `${line} after: ${op.after.map((id) => (ops.has(id) ? describe(ops.get(id)!.op) : id)).join(', ')}`;
}

/** The writes a dry run recorded as plan operations, each caused by `cause` (the command). */
export function recordedOps(writes: readonly RecordedWrite[], cause: string): PlanOp[] {
  return writes.map((w) => ({ id: `w${w.id}`, op: { kind: 'engine', method: w.method, text: w.text }, after: w.after.map((a) => `w${a}`), reason: cause }));
}

export function topological(ops: readonly PlanOp[]): PlanOp[] {
  const done = new Set<string>();
  const out: PlanOp[] = [];
  let left = [...ops];
  while (left.length) {
    const ready = left.filter((o) => o.after.every((a) => done.has(a)));
    if (!ready.length) throw new Error(`plan has a cycle among: ${left.map((o) => o.id).join(', ')}`);
    // one at a time, first in emission order, so the text reads like a sequential script
    const next = ready[0];
    done.add(next.id);
    out.push(next);
    left = left.filter((o) => o !== next);
  }
  return out;
}
