// Types of inspect-diff.mjs (plain JavaScript so that it runs with node without a build step).
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
export interface Snapshot {
  readonly containers: any[];
  readonly networks: any[];
  readonly volumes: any[];
}
export interface DifferentialResult {
  /** One line per difference, `object: path: compose-ref=... berth=...`; empty when the tools agree. */
  readonly differences: string[];
  /** Failed up/down runs (stderr tail). */
  readonly errors: string[];
  readonly counts?: { readonly containers: number; readonly networks: number; readonly volumes: number };
}
export function run(cmd: string, args: readonly string[], options?: { cwd?: string; timeoutMs?: number }): Promise<RunResult>;
export function snapshot(project: string): Promise<Snapshot>;
export function forceCleanup(project: string): Promise<void>;
export function normalize(project: string, snap: Snapshot, explicitIpam?: ReadonlySet<string>): Record<string, unknown>;
export function diff(ref: unknown, ours: unknown, path?: string): string[];
export function compareRuns(ref: Record<string, unknown>, ours: Record<string, unknown>): string[];
export function projectNames(prefix: string, tag: string): { readonly ref: string; readonly berth: string };
export function differential(dir: string, options?: { composeRef?: string; berthBin?: string; prefix?: string; tag?: string }): Promise<DifferentialResult>;
