// Service lifecycle hooks (`post_start`, `pre_stop`): each one an exec in the service's container, run in
// declared order, at the moments compose (2.30+, docker/compose pkg/compose) runs them:
//   post_start: after the container's start request returned and before it is reported Started, so a
//     dependent service starts only after its dependencies' hooks are done; on up, start and restart.
//   pre_stop: before the stop request, on stop, down (and rm -s), restart, and before a container is
//     replaced (recreate; compose does not, the Compose Specification says "before service termination" and
//     the issue asked for it). Only a running container runs it: one that exited by itself (a crash) has no
//     process to exec in, and compose then skips the hook silently too (the exec is refused as a conflict).
// A failing hook fails the command (compose returns its error), naming the service and the tail of its
// output, stderr preferred: "<service> hook exited with status <n>: <output>".
import { execCapture } from './exec-capture.js';
import type { Engine } from '../engine/types.js';
import { EngineError, ErrorCodes, OperationError } from '../model/errors.js';
import type { ServiceConfig } from '../model/types.js';

export interface ServiceHook {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly working_dir?: string;
  readonly environment?: Readonly<Record<string, string | null>>;
}

export type HookKind = 'post_start' | 'pre_stop';

/** The hooks of one kind a service declares (the loader made each command a list and each environment a map). */
export function hooksOf(service: ServiceConfig | undefined, kind: HookKind): readonly ServiceHook[] {
  return (service?.[kind] ?? []).map((h) => ({
    // the schema requires a command; the loader turned `privileged: "true"` into true
    command: h.command ?? [],
    user: h.user,
    privileged: h.privileged === true || h.privileged === 'true' || undefined,
    working_dir: h.working_dir,
    environment: h.environment,
  }));
}

/** How much of a failing hook's output its error keeps, as compose keeps it: the last lines, bounded in bytes. */
export const HOOK_TAIL_LINES = 10;
export const HOOK_TAIL_BYTES = 2048;

/** The last lines of a hook's output: blank lines dropped, a progress bar's `\r` rewinds resolved. */
export function outputTail(text: string, maxLines = HOOK_TAIL_LINES, maxBytes = HOOK_TAIL_BYTES): string {
  const lines = text
    .split('\n')
    .map((l) => {
      const t = l.replace(/\r+$/, '');
      const i = t.lastIndexOf('\r');
      return i >= 0 ? t.slice(i + 1) : t;
    })
    .filter((l) => l.trim() !== '');
  let out = lines.slice(-maxLines).join('\n').trim();
  const bytes = Buffer.from(out, 'utf8');
  // cut at a byte budget from the end; a rune split at the cut is dropped, not shown as U+FFFD
  if (bytes.length > maxBytes) out = bytes.subarray(bytes.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
  return out;
}

export function hookFailure(service: string, exitCode: number, stdout: string, stderr: string): OperationError {
  const output = outputTail(stderr) || outputTail(stdout);
  const text = output ? `${service} hook exited with status ${exitCode}: ${output}` : `${service} hook exited with status ${exitCode}`;
  return new OperationError(ErrorCodes.HOOK_FAILED, text, { service });
}

/** Run one hook in a container and wait for it; throws a HOOK_FAILED error when it exits non-zero. */
export async function runHook(engine: Engine, containerId: string, service: string, hook: ServiceHook): Promise<void> {
  const r = await execCapture(engine, containerId, hook.command, { env: hook.environment ?? {}, user: hook.user, workdir: hook.working_dir, privileged: hook.privileged });
  if (r.exitCode !== 0) throw hookFailure(service, r.exitCode, r.stdout, r.stderr);
}

/** Run a service's hooks of one kind in order; the first failure ends the run. */
export async function runHooks(engine: Engine, containerId: string, service: string, serviceConfig: ServiceConfig | undefined, kind: HookKind): Promise<void> {
  for (const hook of hooksOf(serviceConfig, kind)) {
    try {
      await runHook(engine, containerId, service, hook);
    } catch (err) {
      // the container stopped (or went) between the listing and the exec: nothing left to prepare for its
      // stop, which then proceeds, as compose ignores these two refusals for pre_stop
      if (kind === 'pre_stop' && err instanceof EngineError && (err.code === ErrorCodes.ENGINE_CONFLICT || err.code === ErrorCodes.ENGINE_NOT_FOUND)) return;
      throw err;
    }
  }
}
