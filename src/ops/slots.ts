// How many container starts `up` keeps in flight at once when the user has not set --parallel (or
// COMPOSE_PARALLEL_LIMIT): SLOTS_PER_CPU per CPU of the engine's host.
//
// Why bound them: a start is CPU work inside the engine (runc, the network namespace and its DNS rules), and
// an engine given every start of a large project at once gets through them more slowly than one given a few
// at a time. Measured on the 2-CPU Docker 20.10 host (docs/performance.md), cold `up` of 50 services, medians:
// 13.3 s with all 50 starts in flight, 11.8 s with 4, 12.1 s with 6, 12.6 s with 8, 13.5 s with 16, and
// 13.9 s with 2; and 16 alternating rounds on a quieter day: 9.09 s with 6, 9.55 s with all 50, compose-ref
// 9.45 s (6 in flight was the faster of the two in 11 of the 16 rounds). Creates are not bounded: they are
// short and the engine serves them concurrently well.
// Stops are not bounded either, although `down` of 50 was faster with 6 stops in flight (4.8 s against
// 5.1 s): a stop mostly waits for the container to exit, up to its whole grace period when it ignores its
// stop signal, and bounding those waits would make such a stack's `down` take several grace periods.
// With --parallel the user's bound applies to every engine call, as in compose, and this one does not;
// --parallel -1 is compose's default value, so it counts as not set.
import pLimit from 'p-limit';
import type { SystemEngine } from '../engine/types.js';

export const SLOTS_PER_CPU = 3;

/** Runs one engine call when a slot is free. */
export type Slots = <T>(call: () => Promise<T>) => Promise<T>;

const unbounded: Slots = (call) => call();

/**
 * Slots for `calls` starts (or stops) on `engine`. The engine's CPU count is asked for only when there are
 * more calls than one CPU's worth of slots; until it answers, one CPU's worth run. An engine that cannot say
 * gets every call at once, which is compose's behaviour.
 */
export function engineSlots(engine: SystemEngine, calls: number, parallel: number | undefined): Slots {
  if ((parallel !== undefined && parallel > 0) || calls <= SLOTS_PER_CPU) return unbounded;
  const limit = pLimit(SLOTS_PER_CPU);
  engine.info().then(
    (info) => {
      limit.concurrency = Math.max(1, Math.floor(info.cpus)) * SLOTS_PER_CPU;
    },
    () => {
      limit.concurrency = Number.POSITIVE_INFINITY;
    },
  );
  return (call) => limit(call);
}
