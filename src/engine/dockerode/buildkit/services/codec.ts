// Messages of the session services berth serves to the engine's BuildKit (secrets, ssh forwarding,
// registry auth), encoded with protobufjs from the vendored BuildKit .proto files (compiled to a descriptor
// by scripts/gen-buildkit-proto.mjs). Field names keep the .proto's case (ID, Host, Username...).
import protobuf from 'protobufjs';
import type { GrpcCall } from '../grpc.js';
import { SESSION_SERVICES_DESCRIPTOR } from './proto-descriptor.js';

/** gRPC status codes the services answer with (google.golang.org/grpc/codes). */
export const GrpcCode = {
  OK: 0,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

let root: protobuf.Root | undefined;

function messageType(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(SESSION_SERVICES_DESCRIPTOR as protobuf.INamespace);
  return root.lookupType(name);
}

export interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(value: T): Uint8Array;
}

/** A codec for one message type, by its full name (e.g. "moby.buildkit.secrets.v1.GetSecretRequest"). */
export function codec<T extends object>(name: string): MessageCodec<T> {
  return {
    decode: (bytes) => messageType(name).toObject(messageType(name).decode(bytes), { defaults: true, arrays: true, longs: Number }) as T,
    encode: (value) => messageType(name).encode(messageType(name).fromObject(value)).finish(),
  };
}

/**
 * The request message of a unary call (undefined when the client sent none). The request stream is read to
 * its end rather than left early: leaving an async iteration early may tear the HTTP/2 stream down before
 * the answer is sent.
 */
export async function firstMessage(call: GrpcCall): Promise<Uint8Array | undefined> {
  let first: Uint8Array | undefined;
  for await (const m of call.messages()) first ??= m;
  return first;
}

/** Answers a unary call: decode the request, run `answer`, send its result or the status it threw. */
export async function unary<Req extends object, Res extends object>(
  call: GrpcCall,
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
  answer: (request: Req) => Promise<Res> | Res,
): Promise<void> {
  const bytes = await firstMessage(call);
  if (!bytes) return call.end({ code: GrpcCode.INVALID_ARGUMENT, message: 'no request message' });
  let result: Res;
  try {
    result = await answer(req.decode(bytes));
  } catch (err) {
    return call.end(statusOf(err));
  }
  call.send(res.encode(result));
  call.end();
}

/** An error carrying the gRPC status a handler answers with. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function statusOf(err: unknown): { code: number; message: string } {
  if (err instanceof GrpcStatusError) return { code: err.code, message: err.message };
  return { code: GrpcCode.UNKNOWN, message: err instanceof Error ? err.message : String(err) };
}
