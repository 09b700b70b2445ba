// BuildKit's message types: static encoders and decoders that scripts/build-protos.mjs generated (protobufjs-cli's
// pbjs) from the vendored .proto files (proto/), on protobufjs's minimal runtime. No reflection and no code
// generation at run time; in the CLI bundle the module is a file of its own, loaded on first use with a V8
// code cache (scripts/bundle-cli.mjs).
import type { IConversionOptions } from 'protobufjs';

/** One message type: protobufjs's static class API. */
export interface ProtoType {
  /** A message from a plain object (enums by name or number, int64 as Long, number or string, bytes as Uint8Array or base64). */
  fromObject(object: Record<string, any>): object;
  toObject(message: object, options?: IConversionOptions): Record<string, any>;
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  /** A message from properties of its own type, unchecked. */
  create(properties?: Record<string, any>): object;
}

type Namespace = Record<string, unknown>;

let root: Promise<Namespace> | undefined;
const types = new Map<string, ProtoType>();

/** Starts loading the message types (for callers that know a build is coming); protoType waits for it anyway. */
export function loadProtos(): Promise<Namespace> {
  root ??= import('./generated/protos-static.js').then((m) => m.default);
  return root;
}

export async function protoType(name: 'fsutil.types.Packet' | 'moby.buildkit.v1.StatusResponse' | (string & {})): Promise<ProtoType> {
  const known = types.get(name);
  if (known) return known;
  let at: unknown = await loadProtos();
  for (const part of name.split('.')) {
    const holder = at as Namespace | undefined;
    at = holder && (typeof holder === 'object' || typeof holder === 'function') && Object.hasOwn(holder, part) ? holder[part] : undefined;
  }
  if (typeof at !== 'function' || typeof (at as Partial<ProtoType>).decode !== 'function') throw new Error(`no message type ${name} in the vendored .proto files (scripts/build-protos.mjs)`);
  types.set(name, at as unknown as ProtoType);
  return at as unknown as ProtoType;
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
