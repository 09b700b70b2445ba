// Messages of the session services berth serves besides file sync (secrets, ssh forwarding, registry auth),
// encoded with protobufjs from the vendored BuildKit .proto files (../proto.ts). Field names keep the
// .proto's case (ID, Host, Username...).
import { GrpcError, type GrpcCall } from '../grpc.js';
import { protoType } from '../proto.js';

export interface MessageCodec<T> {
  decode(bytes: Uint8Array): Promise<T>;
  encode(value: T): Promise<Uint8Array>;
}

/** A codec for one message type, by its full name (e.g. "moby.buildkit.secrets.v1.GetSecretRequest"). */
export function codec<T extends object>(name: string): MessageCodec<T> {
  return {
    decode: async (bytes) => {
      const type = await protoType(name);
      return type.toObject(type.decode(bytes), { defaults: true, arrays: true, longs: Number }) as T;
    },
    encode: async (value) => {
      const type = await protoType(name);
      return type.encode(type.fromObject(value)).finish();
    },
  };
}

/**
 * The request message of a unary call (undefined when the client sent none). The request stream is read to
 * its end rather than left early, which could tear the HTTP/2 stream down before the answer is out.
 */
export async function requestMessage(call: GrpcCall): Promise<Uint8Array | undefined> {
  let first: Uint8Array | undefined;
  for await (const m of call.messages()) first ??= m;
  return first;
}

/**
 * Answers a unary call: decode the request, run `answer`, send its result. What `answer` throws ends the
 * call with its status (a GrpcError's code, else UNKNOWN), the message alone: never a secret's value.
 */
export async function unary<Req extends object, Res extends object>(
  call: GrpcCall,
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
  answer: (request: Req) => Promise<Res> | Res,
): Promise<void> {
  const bytes = await requestMessage(call);
  let reply: Uint8Array;
  try {
    reply = await res.encode(await answer(await req.decode(bytes ?? new Uint8Array())));
  } catch (err) {
    return call.end({ code: err instanceof GrpcError ? err.code : 2, message: err instanceof Error ? err.message : String(err) });
  }
  call.send(reply);
  call.end();
}
