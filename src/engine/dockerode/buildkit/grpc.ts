export interface GrpcCall {
  readonly path: string;                        // e.g. '/moby.buildkit.secrets.v1.Secrets/GetSecret'
  readonly metadata: Record<string, string[]>;  // request headers, lower-case names
  messages(): AsyncIterable<Uint8Array>;        // each request message, unframed
  send(message: Uint8Array): void;              // one response message (framed by the server)
  end(status?: { code: number; message?: string }): void; // trailers; code 0 when omitted
}
export type GrpcHandler = (call: GrpcCall) => Promise<void>;
export type GrpcServices = Record<string, GrpcHandler>; // path -> handler; the session exposes these paths
