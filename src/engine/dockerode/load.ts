// Loading dockerode, minus the parts a command does not use.
// Requiring dockerode eagerly loads its BuildKit session stack (@grpc/grpc-js, @grpc/proto-loader) and the
// SSH client (ssh2) — about three quarters of its load time — although berth only needs them for BuildKit
// sessions (never: berth builds with the classic /build endpoint) and for ssh:// DOCKER_HOST. While dockerode
// loads, those modules are answered with lazy stand-ins that load the real module on first use, so nothing
// changes in behaviour, only when the cost is paid.
import type { Module as ModuleClass } from 'node:module';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;

const DEFERRED = new Set(['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2']);

/** A stand-in for a module: any use (property read, call, construction) loads the real thing. */
export function lazyModule(load: () => any): any {
  let real: any;
  const get = () => (real ??= load());
  // Property reads made while the requiring module is still evaluating (`require('ssh2').Client`) get a
  // stand-in for that property too, so even those are deferred until used.
  const member = (key: PropertyKey): any =>
    new Proxy(function deferred() {}, {
      apply: (_t, self, args) => Reflect.apply(get()[key], self, args),
      construct: (_t, args) => Reflect.construct(get()[key], args),
      get: (_t, p) => Reflect.get(get()[key], p),
    });
  return new Proxy({}, { get: (_t, p) => (real ? Reflect.get(real, p) : member(p)), has: (_t, p) => Reflect.has(get(), p) });
}

let cached: Promise<any> | undefined;

/**
 * The dockerode constructor, loaded once. A static-looking import, so the CLI bundle can carry dockerode (its
 * CommonJS files run inside the bundle), while the deferred modules stay outside it and still come through
 * Module._load, where the stand-ins are handed out. The hook is only in place while dockerode evaluates.
 */
export function loadDockerode(): Promise<any> {
  cached ??= (async () => {
    // node:module is fetched here, when dockerode is loaded, not when this file is: loading it brings Node's
    // ES module loader along (~0.5 ms), which a command that never needs dockerode should not pay
    const { Module } = process.getBuiltinModule('node:module') as { Module: typeof ModuleClass };
    const M = Module as unknown as { _load: Loader };
    const original = M._load;
    M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
      if (DEFERRED.has(request)) {
        const real = () => original.call(this, request, parent, isMain);
        return lazyModule(real);
      }
      return original.call(this, request, parent, isMain);
    };
    try {
      const mod: any = await import('dockerode');
      return mod.default ?? mod;
    } finally {
      M._load = original;
    }
  })();
  return cached;
}
