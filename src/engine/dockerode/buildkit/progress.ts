// BuildKit's progress (a StatusResponse, from the build route's trace messages or Control.Status) in
// berth's words.
import type { BuildKitProgress } from '../../types.js';
import { toNumber } from './proto.js';

type Json = Record<string, any>;

const ms = (t: any): number | undefined => (t ? toNumber(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined);

/** A decoded StatusResponse (as decoded: unset fields are defaults, or protobufjs's object form) in berth's words. */
export function progressOf(r: Json): BuildKitProgress {
  return {
    vertexes: (r.vertexes ?? []).map((v: Json) => ({
      digest: String(v.digest ?? ''),
      name: String(v.name ?? ''),
      cached: !!v.cached,
      ...(v.started ? { started: ms(v.started) } : {}),
      ...(v.completed ? { completed: ms(v.completed) } : {}),
      ...(v.error ? { error: String(v.error) } : {}),
    })),
    statuses: (r.statuses ?? []).map((s: Json) => ({
      vertex: String(s.vertex ?? ''),
      id: String(s.ID ?? ''),
      name: String(s.name ?? ''),
      current: toNumber(s.current),
      total: toNumber(s.total),
      ...(s.timestamp ? { timestamp: ms(s.timestamp) } : {}),
      ...(s.started ? { started: ms(s.started) } : {}),
      ...(s.completed ? { completed: ms(s.completed) } : {}),
    })),
    logs: (r.logs ?? []).map((l: Json) => ({
      vertex: String(l.vertex ?? ''),
      stream: toNumber(l.stream),
      data: l.msg ?? new Uint8Array(),
      ...(l.timestamp ? { timestamp: ms(l.timestamp) } : {}),
    })),
  };
}

