// An engine that sends reads and refuses writes: what the CLI's fast attempt at an `up` runs against
// (cli/fast-up.ts). The attempt answers an `up` that finds nothing to do; the first write the command asks for
// says it has something to do, and the attempt gives the command to the full CLI instead. Refusing at the
// engine boundary (as the dry run records there) means no command can write during the attempt, whatever
// path it takes: a refused write changes nothing, so the full CLI starts from the engine as it was.
import { ENGINE_METHODS } from './methods.js';
import type { Engine } from './types.js';

/** The error a refused write rejects with; `method` is the Engine method that was asked for. */
export class WriteRefusedError extends Error {
  override name = 'WriteRefusedError';
  constructor(readonly method: keyof Engine) {
    super(`${method}: this engine only reads`);
  }
}

/** `real` for its reads; every write rejects with WriteRefusedError, after `onRefused` is told of it. */
export function createReadOnlyEngine(real: Engine, onRefused: (method: keyof Engine) => void = () => {}): Engine {
  const engine: Partial<Record<keyof Engine, unknown>> = {};
  for (const [name, kind] of Object.entries(ENGINE_METHODS) as [keyof Engine, 'read' | 'write'][]) {
    const method = real[name] as (...args: unknown[]) => unknown;
    engine[name] =
      kind === 'read'
        ? (...args: unknown[]) => method.apply(real, args)
        : () => {
            onRefused(name);
            // every write method returns a promise (Engine's types): refused the same way
            return Promise.reject(new WriteRefusedError(name));
          };
  }
  return engine as Engine;
}
