import { checkUpFlags, up } from '../../api/up-down.js';
import type { AttachedUpFlags } from './up-attached.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { PULL_FLAG_VALUES, type PullFlag } from '../../ops/images.js';
import { planText } from '../../ops/plan.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions } from '../global.js';

interface UpFlags extends GlobalOptions {
  detach?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  forceRecreate?: boolean;
  recreate?: boolean;
  alwaysRecreateDeps?: boolean;
  renewAnonVolumes?: boolean;
  scale?: string[];
  deps?: boolean;
  start?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  /** true with --build, false with --no-build */
  build?: boolean;
  pull?: string;
  quietPull?: boolean;
  quietBuild?: boolean;
}

/** --build / --no-build / --pull / --quiet-pull as UpOptions. */
function imageFlags(o: UpFlags): { build?: boolean; noBuild?: boolean; pull?: PullFlag; quietPull?: boolean; quietBuild?: boolean } {
  if (o.pull !== undefined && !(PULL_FLAG_VALUES as readonly string[]).includes(o.pull)) {
    throw new BerthError(ErrorCodes.USAGE, `invalid --pull value "${o.pull}": use ${PULL_FLAG_VALUES.join(', ')}`);
  }
  return { build: o.build === true, noBuild: o.build === false, pull: o.pull as PullFlag | undefined, quietPull: o.quietPull, quietBuild: o.quietBuild };
}

export async function upCommand(services: string[], o: UpFlags): Promise<number> {
  if (o.forceRecreate && o.recreate === false) throw new BerthError(ErrorCodes.USAGE, '--force-recreate and --no-recreate are incompatible');
  if (o.alwaysRecreateDeps && o.recreate === false) throw new BerthError(ErrorCodes.USAGE, '--always-recreate-deps and --no-recreate are incompatible');
  const attached = o as UpFlags & AttachedUpFlags;
  if (attached.watch && (o.detach || o.wait)) throw new BerthError(ErrorCodes.USAGE, `--${o.wait ? 'wait' : 'detach'} cannot be combined with --watch`);
  if (attached.watch && o.build === false) throw new BerthError(ErrorCodes.USAGE, '--no-build and --watch are incompatible');
  // --attach is a list of services (--no-attach is its own list, see listOption in main.ts)
  checkUpFlags({ ...attached, attach: Array.isArray(attached.attach) ? attached.attach : undefined, noStart: o.start === false, noRecreate: o.recreate === false });
  if (!o.detach && !o.wait && !o.dryRun && o.start !== false) {
    // attached mode's log printer (and chalk) are loaded only for it
    const { attachedUpCommand } = await import('./up-attached.js');
    return attachedUpCommand(services, attached, { alwaysRecreateDeps: o.alwaysRecreateDeps, renewAnonVolumes: o.renewAnonVolumes, scale: parseScale(o.scale), ...imageFlags(o) });
  }
  const progress = await progressFor(o);
  try {
    const result = await up({
      project: loadOptions(o),
      services,
      wait: o.wait,
      waitTimeout: parseSeconds(o.waitTimeout, '--wait-timeout'),
      forceRecreate: o.forceRecreate,
      noRecreate: o.recreate === false,
      alwaysRecreateDeps: o.alwaysRecreateDeps,
      renewAnonVolumes: o.renewAnonVolumes,
      scale: parseScale(o.scale),
      noDeps: o.deps === false,
      noStart: o.start === false,
      removeOrphans: o.removeOrphans,
      timeout: parseSeconds(o.timeout, '--timeout'),
      parallel: parallelLimit(o),
      dryRun: o.dryRun,
      ...imageFlags(o),
      onEvent: progress.onEvent,
    });
    if (o.dryRun) process.stdout.write(planText(result.plan));
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

/** --scale web=3 (repeatable) */
export function parseScale(values: string[] | undefined): Record<string, number> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([^=]+)=(\d+)$/.exec(v);
    if (!m) throw new BerthError(ErrorCodes.USAGE, `invalid --scale value "${v}": expected SERVICE=NUM`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}
