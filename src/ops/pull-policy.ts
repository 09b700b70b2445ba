// pull_policy and `up --pull` values, apart from images.ts (pulls and builds) so that observing a project
// (ops/observe.ts, also on `down`'s path) can tell which policies judge an image by its age without loading
// the pull and build code.
import { ErrorCodes, OperationError } from '../model/errors.js';

export type PullPolicy =
  | { readonly kind: 'always' | 'never' | 'missing' | 'build' }
  /** daily, weekly, every_<duration>: pull when missing or when the local copy is older than maxAgeMs. */
  | { readonly kind: 'refresh'; readonly maxAgeMs: number };

/** Values of `up --pull`; a service's pull_policy also accepts the refresh forms. */
export const PULL_FLAG_VALUES = ['always', 'missing', 'never', 'build'] as const;
export type PullFlag = (typeof PULL_FLAG_VALUES)[number];

const UNIT_MS: Readonly<Record<string, number>> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** A pull_policy value; undefined and "" mean missing. Throws on an unknown policy. */
export function parsePullPolicy(value: string | undefined, service?: string): PullPolicy {
  const v = (value ?? '').trim();
  switch (v) {
    case '':
    case 'missing':
    case 'if_not_present':
      return { kind: 'missing' };
    case 'always':
    case 'never':
    case 'build':
      return { kind: v };
    case 'daily':
      return { kind: 'refresh', maxAgeMs: UNIT_MS.d };
    case 'weekly':
      return { kind: 'refresh', maxAgeMs: UNIT_MS.w };
  }
  const every = /^every_((?:\d+[wdhms])+)$/.exec(v);
  if (every) {
    let ms = 0;
    for (const [, n, unit] of every[1].matchAll(/(\d+)([wdhms])/g)) ms += Number(n) * UNIT_MS[unit];
    if (ms > 0) return { kind: 'refresh', maxAgeMs: ms };
  }
  throw new OperationError(
    ErrorCodes.SERVICE_SPEC,
    `${service ? `service "${service}": ` : ''}invalid pull_policy "${v}": use always, never, missing, if_not_present, build, daily, weekly or every_<duration> (e.g. every_12h)`,
    service ? { service } : undefined,
  );
}
