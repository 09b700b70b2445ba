#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS BERTH_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} node --no-memory-reducer --
// The launcher (CommonJS, see bin/package.json). Everything here is about start-up time; the CLI itself is
// dist/cli-bundle/berth.cjs (npm run build, scripts/bundle-cli.mjs).
//
// The shebang: `node --` so that Node 20 does not take an --env-file meant for berth as its own option.
// --no-memory-reducer: V8's memory reducer runs a full, compacting collection once a process has gone quiet
// for a while, to give memory back; berth goes quiet exactly while it waits on the engine, and that
// collection (~110 ms in a 50-service `up`) takes CPU from an engine that is then CPU-bound. A command's heap
// lives for seconds and has nothing worth giving back. (A V8 flag: it must be given at start-up.)
// NODE_EXTRA_CA_CERTS makes Node parse that certificate file before any JavaScript runs (60 ms for a
// system bundle), although berth only needs extra CAs to reach an engine over TLS. It is moved aside for
// Node and put back below; the engine's TLS setup adds the file itself (src/engine/dockerode/engine.ts), and
// child processes inherit it unchanged.
'use strict';
if (process.env.BERTH_EXTRA_CA_CERTS !== undefined) {
  if (process.env.BERTH_EXTRA_CA_CERTS !== '') process.env.NODE_EXTRA_CA_CERTS = process.env.BERTH_EXTRA_CA_CERTS;
  delete process.env.BERTH_EXTRA_CA_CERTS;
}

// BERTH_STARTUP_TRACE=1: named moments of this run (ms since the process started) to stderr at exit, with
// Node's own milestones; the engine client marks each request sent and response read (src/model/startup-trace.ts):
// the first request and last response are shown, or every one with BERTH_STARTUP_TRACE=all.
const marks = process.env.BERTH_STARTUP_TRACE ? [['launcher', performance.now()]] : undefined;
const mark = marks && ((name) => marks.push([name, performance.now()]));
if (marks) {
  globalThis[Symbol.for('berth.mark')] = mark;
  process.on('exit', () => {
    mark('exit');
    const t = performance.nodeTiming;
    const node = [['v8 started', t.v8Start], ['environment', t.environment], ['bootstrap done', t.bootstrapComplete]];
    const requests = marks.filter(([n]) => n.startsWith('request'));
    const responses = marks.filter(([n]) => n.startsWith('response'));
    const rest = marks.filter(([n]) => !n.startsWith('request') && !n.startsWith('response'));
    const summary = requests.length ? [[`first request (of ${requests.length})`, requests[0][1]], ['last response', responses.at(-1)?.[1] ?? NaN]] : [];
    const all = [...node, ...(process.env.BERTH_STARTUP_TRACE === 'all' ? marks : [...rest, ...summary])].sort((a, b) => a[1] - b[1]);
    process.stderr.write(all.map(([n, ms]) => `${ms.toFixed(1).padStart(7)} ms  ${n}\n`).join(''));
  });
}

// process.stdout and process.stderr are made by Node on first use, and for a pipe or a terminal that is a socket
// and its handle (~1 ms); a command that writes nothing to one (`--progress quiet`, an `up -d` with nothing to
// do) never makes it. Which were made is noted here, so that the end flushes those and does not make the others.
const made = new Set();
for (const name of ['stdout', 'stderr']) {
  const d = Object.getOwnPropertyDescriptor(process, name);
  if (d?.get && d.configurable) {
    Object.defineProperty(process, name, { configurable: true, enumerable: d.enumerable, get() { made.add(name); return d.get.call(this); } });
  }
}

const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
// the CommonJS loader's own class (what node:module exports): requiring node:module would also load Node's
// ES module loader and source-map support, ~0.5 ms of every start for two functions of this class
const Module = module.constructor;

// The bundle is compiled with V8's code cache: bytecode for every function a training run compiled
// (written at build time), so neither parsing nor compiling them is repeated at each start. BERTH_CODE_CACHE=off
// ignores it, =write always rewrites it (the build's training run), =add uses it and rewrites it with this
// run's functions added (the training's later commands). The bundle loads its lazily required sibling
// files (the compose-spec validator) through the same loader, found on globalThis (see bundle-cli.mjs).
//
// V8 refuses a cache made under other V8 flags or another V8 (NODE_OPTIONS=--max-old-space-size=..., another
// Node). Such a run must not overwrite the build's cache: every later run under the usual flags would refuse
// the rewritten one in turn, and then be left with a cache of one command. It writes a cache of its own,
// <cache>.<key> (key: Node version, Node's command-line options, NODE_OPTIONS), which later runs with the same
// key read first. Only a file that is no V8 cache at all, or a missing one, is (re)written in place.
const dist = join(__dirname, '..', 'dist', 'cli-bundle');
const mode = process.env.BERTH_CODE_CACHE;
/** Scripts whose cache is written after the command: created from this run's compiled functions. */
const toSave = [];

// A build runs much code no other command runs (the BuildKit session, file sync, progress): its functions are
// in a cache of their own, berth.cjs.build.cache (the training's runs plus a build), read in place of the
// smaller berth.cjs.cache when the command line names a build (`build`, `up --build`); a word `build` that is
// not the command (a service named so) only costs the larger read. Every other command reads the smaller one.
const building = process.argv.some((a) => a === 'build' || a === '--build');

function requireCached(file, variant, optional = false) {
  let source;
  try {
    // latin1: the build makes these files pure ASCII (scripts/bundle-cli.mjs checks), for which latin1 gives
    // the same string, a plain byte copy; decoding 1.2 MB as UTF-8 cost ~1.3 ms of CPU more per start
    // (issue 19, docs/performance.md)
    source = readFileSync(file, 'latin1');
  } catch {
    if (optional) return undefined;
    process.stderr.write(`berth is not built: ${file} is missing (run npm run build)\n`);
    process.exit(1);
  }
  // the variant's cache is read first, else the file's own; what this run writes goes to the variant's
  const cacheFile = variant ? `${file}.${variant}.cache` : `${file}.cache`;
  const ownFile = `${cacheFile}.${flagsKey()}`;
  let cachedData;
  let from;
  if (mode !== 'off' && mode !== 'write') {
    // (the training's runs, BERTH_CODE_CACHE=add, read and write the build's cache only)
    // (existsSync for the own file, which is nearly always absent: a first failed read costs 0.4 ms, building
    // Node's error for it; existsSync 0.09 ms)
    for (const f of [...(mode !== 'add' && existsSync(ownFile) ? [ownFile] : []), cacheFile, ...(variant ? [`${file}.cache`] : [])]) {
      try {
        cachedData = readFileSync(f);
        from = f;
        break;
      } catch {
        // none: the next one, else compiled from source and the cache written after this run
      }
    }
  }
  mark?.(`read ${file.slice(dist.length + 1)}`);
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  mark?.(`compiled ${file.slice(dist.length + 1)}`);
  if (mode === 'write' || mode === 'add') toSave.push({ script, cacheFile });
  else if (mode !== 'off' && cachedData === undefined) toSave.push({ script, cacheFile });
  else if (mode !== 'off' && script.cachedDataRejected === true) toSave.push({ script, cacheFile: from === ownFile || isV8Cache(cachedData) ? ownFile : cacheFile });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mark?.(`evaluated ${file.slice(dist.length + 1)}`);
  return mod.exports;
}
globalThis[Symbol.for('berth.requireCached')] = (name) => requireCached(join(dist, name));

let key;
/** What decides the V8 flags and version a cache is made under, as a short name (64-bit FNV-1a, two lanes). */
function flagsKey() {
  if (key === undefined) {
    const text = `${process.version}\0${process.execArgv.join('\0')}\0${process.env.NODE_OPTIONS ?? ''}`;
    let a = 0x811c9dc5;
    let b = 0xcbf29ce4;
    for (let i = 0; i < text.length; i++) {
      a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
      b = Math.imul(b ^ text.charCodeAt(i), 0x0100019d) >>> 0;
    }
    key = a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
  return key;
}

/** Whether the bytes begin as this V8's code caches begin (its magic number), whatever flags made them. */
function isV8Cache(bytes) {
  const probe = new Script('0').createCachedData();
  return bytes.length > 32 && bytes.subarray(0, 4).equals(probe.subarray(0, 4));
}

// The fast attempt at `up` (src/cli/fast-up.ts, docs/performance.md): a command line that looks like a detached
// `up` first runs through the smaller bundle berth-up.cjs, the same code without what a no-op `up` never
// reaches, against an engine that refuses writes. When it answers (no write asked for, nothing left out), what it
// printed is printed and that is the command; otherwise nothing it printed is shown and the full bundle runs
// the command from the start. A look only: any command line is safe in the attempt. Not tried for a build
// (it writes), a dry run or help (they print at once), or progress drawn live on a terminal (listr2 is not in
// the smaller bundle); BERTH_FAST_UP=0 turns it off.
function fastUpWanted(args) {
  if (process.env.BERTH_FAST_UP === '0' || building || !args.includes('up')) return false;
  // (not `--wait`: its progress lines would be held back for as long as the services take to become healthy)
  if (!args.some((a) => a === '-d' || a === '--detach') || args.some((a) => a.startsWith('--wait'))) return false;
  if (args.some((a) => a === '--dry-run' || a === '-h' || a === '--help' || a === 'help' || a === '-v' || a === '--version')) return false;
  const i = args.findIndex((a) => a === '--progress' || a.startsWith('--progress='));
  const progress = i < 0 ? process.env.COMPOSE_PROGRESS : args[i].startsWith('--progress=') ? args[i].slice('--progress='.length) : args[i + 1];
  return progress === 'quiet' || progress === 'plain' || progress === 'json' || !require('node:tty').isatty(2);
}

/**
 * While the attempt runs, process.stdout and process.stderr are stand-ins that keep what is written (and say
 * whether the real stream is a terminal, which decides colours and the progress mode): print() writes it to
 * the real streams, in order; release() puts the real streams back.
 */
function holdOutput() {
  const { isatty } = require('node:tty');
  const kept = [];
  const real = {};
  for (const [name, fd] of [['stdout', 1], ['stderr', 2]]) {
    real[name] = Object.getOwnPropertyDescriptor(process, name);
    const stream = {
      fd,
      isTTY: isatty(fd),
      writable: true,
      write(chunk, encoding, done) {
        kept.push([name, chunk, typeof encoding === 'string' ? encoding : undefined]);
        const cb = typeof encoding === 'function' ? encoding : done;
        if (cb) process.nextTick(cb);
        return true;
      },
      on: () => stream,
      once: () => stream,
      off: () => stream,
      removeListener: () => stream,
    };
    Object.defineProperty(process, name, { configurable: true, enumerable: real[name].enumerable, get: () => stream });
  }
  return {
    release: () => {
      for (const name of ['stdout', 'stderr']) Object.defineProperty(process, name, real[name]);
    },
    print: () => {
      for (const [name, chunk, encoding] of kept) process[name].write(chunk, encoding);
    },
  };
}

async function runCommand() {
  if (fastUpWanted(process.argv.slice(2))) {
    const held = holdOutput();
    let result = {};
    try {
      // (an installation without it, built before it existed, runs the full bundle only)
      const fast = requireCached(join(dist, 'berth-up.cjs'), undefined, true);
      if (fast) result = await fast.fastMain(process.argv);
    } catch {
      // the full bundle runs the command, and reports what went wrong
    } finally {
      held.release();
    }
    if (result.code !== undefined) {
      held.print();
      return result.code;
    }
    delete globalThis[Symbol.for('berth.declined')];
  }
  return requireCached(join(dist, 'berth.cjs'), building ? 'build' : undefined).main(process.argv);
}

runCommand().then(
  (code) => {
    mark?.('command done');
    process.exitCode = code;
    saveCaches();
    // A finished command exits now instead of when the event loop drains: idle keep-alive sockets and
    // Node's teardown of the environment cost milliseconds it has no use for. Output is flushed first.
    flush('stdout', () => flush('stderr', () => (mark?.('output flushed'), process.exit(code))));
  },
  (err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exitCode = 1;
  },
);

/** Best effort: an installation berth cannot write to keeps working, only without the cache. */
function saveCaches() {
  for (const { script, cacheFile } of toSave) {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // read-only installation: every run compiles from source
    }
  }
}

/** Calls `done` once everything written to process[name] so far has been handed to the system (none if never made). */
function flush(name, done) {
  if (!made.has(name)) return done();
  const stream = process[name];
  if (stream.destroyed || !stream.writable) return done();
  stream.write('', () => done());
}
