import { up } from '../../api/index.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
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
}

export async function upCommand(services: string[], o: UpFlags): Promise<number> {
  if (o.forceRecreate && o.recreate === false) throw new BerthError(ErrorCodes.USAGE, '--force-recreate and --no-recreate are incompatible');
  if (o.alwaysRecreateDeps && o.recreate === false) throw new BerthError(ErrorCodes.USAGE, '--always-recreate-deps and --no-recreate are incompatible');
  if (!o.detach && !o.wait && !o.dryRun) {
    throw new BerthError(ErrorCodes.USAGE, 'attached mode is not available yet in berth: run `berth up -d` (or `--wait`), then `berth logs`');
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
