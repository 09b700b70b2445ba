// An engine seen through a Proxy that notes every Engine method called on it (whatever the engine itself
// records): what the dry-run and read-only engines' tests check reaches the real one.
import { ENGINE_METHODS } from '../../src/engine/methods.js';
import type { Engine } from '../../src/engine/types.js';

export function spyEngine<E extends Engine>(engine: E): { spy: E; reached: (keyof Engine)[] } {
  const reached: (keyof Engine)[] = [];
  const spy = new Proxy(engine, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || !(key in ENGINE_METHODS)) return value;
      return (...args: unknown[]) => {
        reached.push(key as keyof Engine);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { spy, reached };
}
