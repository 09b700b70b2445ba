// BuildKit's message types, from the descriptor scripts/build-protos.mjs compiled out of the vendored .proto
// files (proto/). protobufjs's light build: no .proto parser at run time.
import type { Root, Type } from 'protobufjs';

let root: Promise<Root> | undefined;

function load(): Promise<Root> {
  root ??= (async () => {
    const [{ default: protobuf }, { default: descriptor }] = await Promise.all([import('protobufjs/light.js'), import('./generated/protos.js')]);
    return protobuf.Root.fromJSON(descriptor);
  })();
  return root;
}

export async function protoType(name: 'fsutil.types.Packet' | 'moby.buildkit.v1.StatusResponse' | (string & {})): Promise<Type> {
  return (await load()).lookupType(name);
}

/** An int64 field's value as protobufjs encodes it without precision loss. */
export function int64(value: bigint): { low: number; high: number; unsigned: boolean } {
  const v = BigInt.asUintN(64, value);
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: false };
}

/** An int64 field's decoded value (a Long or a number) as a number; nanosecond clocks lose only sub-µs digits. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'toNumber' in value) return (value as { toNumber(): number }).toNumber();
  return Number(value ?? 0);
}
