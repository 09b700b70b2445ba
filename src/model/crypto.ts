// node:crypto, loaded on first use. Loading it costs ~8 ms of start-up, and a no-op command whose project
// comes from the project cache (config hashes included) never needs it; an ES import would load it up front.
import type * as Crypto from 'node:crypto';

export function nodeCrypto(): typeof Crypto {
  return process.getBuiltinModule('node:crypto');
}
