// One behavioural contract for every Engine implementation: the in-memory fake (unit project) and the
// dockerode adapter against the real engine (e2e project) both run it, so the fake cannot drift from what
// berth sees on a real engine. Each case names the engine behaviour berth relies on; where the two differ,
// the fake is fixed, never the expectation widened to accept both.
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract, pack } from 'tar-stream';
import { EngineError, ErrorCodes } from '../../src/model/errors.js';
import type { ContainerCreateRequest, Engine, EngineEvent } from '../../src/engine/types.js';

export interface ContractEngine {
  readonly engine: Engine;
  /** A local image whose `sh` and `sleep` work, e.g. busybox:local. */
  readonly image: string;
  /** Unique per run: every object's name starts with it and carries it as the project label. */
  readonly prefix: string;
  /** Whether containers really run their command (a real engine: output, exit codes of exec and logs). */
  readonly runsProcesses: boolean;
  /** Remove whatever the run left behind, also after a failure. */
  cleanup(): Promise<void>;
}

const PROJECT = 'com.docker.compose.project';

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(EngineError);
  return err as EngineError;
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function untar(stream: AsyncIterable<Buffer>): Promise<Record<string, string>> {
  const x = extract();
  const out: Record<string, string> = {};
  const done = (async () => {
    for await (const entry of x) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === 'file') out[entry.header.name] = Buffer.concat(chunks).toString('utf8');
    }
  })();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  x.end(Buffer.concat(chunks));
  await done;
  return out;
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `suite` lets the e2e runner pass its engine-or-skip describe. */
export function engineContract(title: string, setup: () => Promise<ContractEngine>, suite: typeof describe = describe): void {
  suite(`Engine contract: ${title}`, () => {
    let ctx: ContractEngine;
    let engine: Engine;
    let n = 0;
    const name = (what: string) => `${ctx.prefix}-${what}-${++n}`;
    const labels = (extra: Record<string, string> = {}) => ({ [PROJECT]: ctx.prefix, ...extra });
    const request = (what: string, extra: Partial<ContainerCreateRequest> = {}): ContainerCreateRequest => ({
      name: name(what),
      Image: ctx.image,
      Cmd: ['sleep', '600'],
      Labels: labels(),
      // init: a stop is answered at once (sleep as PID 1 would ignore SIGTERM until the timeout)
      HostConfig: { Init: true },
      ...extra,
    });
    const running = async (what: string, extra: Partial<ContainerCreateRequest> = {}) => {
      const { id } = await engine.createContainer(request(what, extra));
      await engine.startContainer(id);
      return id;
    };

    beforeAll(async () => {
      ctx = await setup();
      engine = ctx.engine;
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    describe('system', () => {
      it('reports its version and CPUs', async () => {
        const v = await engine.version();
        expect(v.apiVersion).toMatch(/^\d+\.\d+$/);
        expect(v.version).toMatch(/^\d+\.\d+/);
        expect((await engine.info()).cpus).toBeGreaterThanOrEqual(1);
      });
    });

    describe('containers', () => {
      it('create → inspect: created, not running, with its name, labels, image and command', async () => {
        const r = request('create', { Labels: labels({ role: 'a' }), Env: ['A=1'] });
        const { id } = await engine.createContainer(r);
        expect(id).toMatch(/^[0-9a-f]{64}$/);
        const c = await engine.inspectContainer(id);
        expect(c).toBeDefined();
        expect(c!.id).toBe(id);
        expect(c!.name).toBe(r.name);
        expect(c!.state.status).toBe('created');
        expect(c!.state.running).toBe(false);
        expect(c!.state.exitCode).toBe(0);
        expect(c!.config.labels).toMatchObject({ [PROJECT]: ctx.prefix, role: 'a' });
        expect(c!.config.image).toBe(ctx.image);
        expect(c!.config.env).toContain('A=1');
        expect(c!.config.cmd).toEqual(['sleep', '600']);
        expect(c!.image).toMatch(/^sha256:[0-9a-f]{64}$/);
        // by name and by a unique id prefix too
        expect((await engine.inspectContainer(r.name))?.id).toBe(id);
        expect((await engine.inspectContainer(id.slice(0, 12)))?.id).toBe(id);
      });

      it('inspect of an unknown container is undefined; calls on one fail ENGINE_NOT_FOUND', async () => {
        const missing = name('missing');
        expect(await engine.inspectContainer(missing)).toBeUndefined();
        for (const call of [
          () => engine.startContainer(missing),
          () => engine.stopContainer(missing),
          () => engine.killContainer(missing),
          () => engine.removeContainer(missing),
          () => engine.renameContainer(missing, name('other')),
          () => engine.pauseContainer(missing),
        ]) {
          expect((await rejection(call())).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        }
      });

      it('a second container with a taken name is a conflict', async () => {
        const r = request('dup');
        await engine.createContainer(r);
        const err = await rejection(engine.createContainer(r));
        expect(err.code).toBe(ErrorCodes.ENGINE_CONFLICT);
        expect(err.message).toContain(`"/${r.name}" is already in use`);
      });

      it('an image that is not there: ENGINE_NOT_FOUND, and nothing is created', async () => {
        const r = request('noimage', { Image: `${ctx.prefix}-absent:1` });
        expect((await rejection(engine.createContainer(r))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        expect(await engine.inspectContainer(r.name)).toBeUndefined();
      });

      it('state transitions: start, stop, start, kill, restart, pause, unpause', async () => {
        const { id } = await engine.createContainer(request('life'));
        const status = async () => (await engine.inspectContainer(id))!.state;
        await engine.startContainer(id);
        expect(await status()).toMatchObject({ status: 'running', running: true });
        expect((await status()).startedAt).toBeTruthy();
        // starting a running container is not an error (the engine answers 304)
        await engine.startContainer(id);
        await engine.stopContainer(id, 5);
        expect(await status()).toMatchObject({ status: 'exited', running: false });
        // neither is stopping a stopped one
        await engine.stopContainer(id, 5);
        await engine.startContainer(id);
        await engine.killContainer(id);
        await eventually(status, (s) => s.status === 'exited');
        expect(await status()).toMatchObject({ status: 'exited', running: false, exitCode: 137 });
        expect((await rejection(engine.killContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        await engine.restartContainer(id, 5);
        expect(await status()).toMatchObject({ status: 'running', exitCode: 0 });
        // engine 20.10 answers 500, not 409, for unpausing a container that is not paused
        expect((await rejection(engine.unpauseContainer(id))).code).toBe(ErrorCodes.ENGINE_FAILED);
        await engine.pauseContainer(id);
        expect((await status()).status).toBe('paused');
        await engine.unpauseContainer(id);
        expect((await status()).status).toBe('running');
        await engine.stopContainer(id, 5);
        expect((await rejection(engine.pauseContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
      });

      it('waitContainer resolves with the exit code once the container stops', async () => {
        const id = await running('wait');
        const waited = engine.waitContainer(id, 'not-running');
        await engine.killContainer(id, 'SIGKILL');
        expect(await waited).toEqual({ exitCode: 137 });
        // already stopped: at once
        expect(await engine.waitContainer(id, 'not-running')).toEqual({ exitCode: 137 });
      });

      it('remove: a running container only with force; afterwards it is gone', async () => {
        const id = await running('rm');
        expect((await rejection(engine.removeContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        expect((await engine.inspectContainer(id))?.state.status).toBe('running');
        await engine.removeContainer(id, { force: true });
        expect(await engine.inspectContainer(id)).toBeUndefined();
        expect((await rejection(engine.removeContainer(id))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        const { id: stopped } = await engine.createContainer(request('rm-created'));
        await engine.removeContainer(stopped);
        expect(await engine.inspectContainer(stopped)).toBeUndefined();
      });

      it('rename: the new name finds it, the old does not; a taken name is a conflict', async () => {
        const a = request('ren-a');
        const b = request('ren-b');
        const { id } = await engine.createContainer(a);
        await engine.createContainer(b);
        const to = name('ren-new');
        await engine.renameContainer(id, to);
        expect((await engine.inspectContainer(to))?.id).toBe(id);
        expect(await engine.inspectContainer(a.name)).toBeUndefined();
        expect((await rejection(engine.renameContainer(id, b.name))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
      });

      it('list: running only unless all; label filters AND, "key" asks for presence; names are exact', async () => {
        const tag = name('list');
        const lbl = (v: string) => labels({ [`${tag}.set`]: '1', [`${tag}.v`]: v });
        const created = request('l-created', { Labels: lbl('x') });
        const up = request('l-up', { Labels: lbl('y') });
        const { id: cid } = await engine.createContainer(created);
        const { id: uid } = await engine.createContainer(up);
        await engine.startContainer(uid);
        const ids = async (f: Parameters<Engine['listContainers']>[0]) => (await engine.listContainers(f)).map((c) => c.id).sort();
        expect(await ids({ labels: [`${tag}.set`] })).toEqual([uid]);
        expect(await ids({ labels: [`${tag}.set`], all: true })).toEqual([cid, uid].sort());
        expect(await ids({ labels: [`${tag}.set=1`, `${tag}.v=x`], all: true })).toEqual([cid]);
        expect(await ids({ labels: [`${tag}.set`, `${tag}.v=z`], all: true })).toEqual([]);
        expect(await ids({ labels: [`${tag}.set`], names: [up.name], all: true })).toEqual([uid]);
        // a name filter is exact, not the engine's substring match
        expect(await ids({ labels: [`${tag}.set`], names: [up.name.slice(0, -1)], all: true })).toEqual([]);
        const [summary] = await engine.listContainers({ labels: [`${tag}.set`], names: [up.name] });
        expect(summary).toMatchObject({ id: uid, name: up.name, image: ctx.image, state: 'running' });
        expect(summary!.status).toMatch(/^Up/);
        expect(summary!.labels[`${tag}.v`]).toBe('y');
        expect(summary!.networks).toEqual(['bridge']);
        const [stopped] = await engine.listContainers({ labels: [`${tag}.set`], names: [created.name], all: true });
        expect(stopped).toMatchObject({ state: 'created', status: 'Created' });
      });

      it("list: a container's image is the reference it was made from while that names its image, then its image id", async () => {
        // up reads a running service's image id from this instead of inspecting the image (ops/observe.ts)
        const ref = `${ctx.prefix}-listimg:1`;
        await engine.tagImage(ctx.image, ref);
        const { id: cid } = await engine.createContainer(request('listimg', { Image: ref }));
        const listed = async () => (await engine.listContainers({ labels: [PROJECT], names: [(await engine.inspectContainer(cid))!.name], all: true }))[0]!;
        const first = await listed();
        const base = (await engine.inspectImage(ref))!.id;
        expect(first).toMatchObject({ image: ref, imageId: base });
        // the reference moves to another image: the container is listed by the id of the one it runs
        const { id: moved } = await engine.commitContainer(cid, { reference: ref });
        expect(moved).not.toBe(base);
        expect(await listed()).toMatchObject({ image: base, imageId: base });
        // and so it is once the reference is gone
        await engine.removeImage(ref);
        await engine.removeImage(moved);
        expect(await listed()).toMatchObject({ image: base, imageId: base });
        await engine.removeContainer(cid, { force: true });
      });

      it('top and stats of a running container; top of a stopped one is a conflict', async () => {
        const id = await running('top');
        const top = await engine.topContainer(id);
        expect(top.titles).toContain('PID');
        expect(top.processes.length).toBeGreaterThan(0);
        const stats = await engine.containerStats(id);
        expect(stats.pids).toBeGreaterThanOrEqual(1);
        await engine.stopContainer(id, 5);
        expect((await rejection(engine.topContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
      });
    });

    describe('networks', () => {
      it('create → inspect → list by label → remove', async () => {
        const netName = name('net');
        const { id } = await engine.createNetwork({ Name: netName, Driver: 'bridge', Labels: labels({ n: '1' }) });
        const n = await engine.inspectNetwork(netName);
        expect(n).toMatchObject({ id, name: netName, driver: 'bridge', labels: { [PROJECT]: ctx.prefix, n: '1' }, containers: [] });
        expect((await engine.inspectNetwork(id))?.name).toBe(netName);
        const listed = await engine.listNetworks({ labels: [`${PROJECT}=${ctx.prefix}`, 'n=1'] });
        expect(listed.map((x) => x.name)).toEqual([netName]);
        expect((await engine.listNetworks({ labels: [`${PROJECT}=${ctx.prefix}`, 'n=2'] })).length).toBe(0);
        // names are exact, not the engine's substring match
        expect((await engine.listNetworks({ names: [netName] })).map((x) => x.id)).toEqual([id]);
        expect(await engine.listNetworks({ names: [netName.slice(0, -1)] })).toEqual([]);
        await engine.removeNetwork(netName);
        expect(await engine.inspectNetwork(netName)).toBeUndefined();
      });

      it('a taken name is a conflict; an unknown one is not found', async () => {
        const netName = name('net-dup');
        await engine.createNetwork({ Name: netName, Labels: labels() });
        expect((await rejection(engine.createNetwork({ Name: netName, Labels: labels() }))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        expect(await engine.inspectNetwork(name('net-missing'))).toBeUndefined();
        expect((await rejection(engine.removeNetwork(name('net-missing')))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        await engine.removeNetwork(netName);
      });

      it('connect: the container is listed on the network; twice, or removing the network in use, is a conflict', async () => {
        const netName = name('net-conn');
        const { id: nid } = await engine.createNetwork({ Name: netName, Labels: labels() });
        const cid = await running('conn');
        await engine.connectNetwork(netName, cid, { Aliases: ['alias-a'] });
        expect((await engine.inspectNetwork(netName))?.containers).toEqual([cid]);
        const c = await engine.inspectContainer(cid);
        expect(c!.networks[netName]?.networkId).toBe(nid);
        expect(c!.networks[netName]?.aliases).toContain('alias-a');
        expect(c!.networks[netName]?.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect((await rejection(engine.connectNetwork(netName, cid))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        expect((await rejection(engine.removeNetwork(netName))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        expect((await rejection(engine.connectNetwork(name('net-missing'), cid))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        await engine.removeContainer(cid, { force: true });
        expect((await engine.inspectNetwork(netName))?.containers).toEqual([]);
        await engine.removeNetwork(netName);
      });

      it('a container created on a network it names is attached to it', async () => {
        const netName = name('net-create');
        await engine.createNetwork({ Name: netName, Labels: labels() });
        const { id } = await engine.createContainer(
          request('on-net', { HostConfig: { Init: true, NetworkMode: netName }, NetworkingConfig: { EndpointsConfig: { [netName]: { Aliases: ['svc'] } } } }),
        );
        expect(Object.keys((await engine.inspectContainer(id))!.networks)).toEqual([netName]);
        // the endpoint exists only while the container runs
        expect((await engine.inspectNetwork(netName))?.containers).toEqual([]);
        await engine.startContainer(id);
        expect((await engine.inspectNetwork(netName))?.containers).toEqual([id]);
        await engine.stopContainer(id, 5);
        expect((await engine.inspectNetwork(netName))?.containers).toEqual([]);
        // connecting a stopped container again only rewrites its config; a network a stopped container names
        // can be removed (engine 20.10)
        await engine.connectNetwork(netName, id);
        await engine.removeNetwork(netName);
        expect(await engine.inspectNetwork(netName)).toBeUndefined();
        // engine 20.10 looks a network up at start, not at create
        const absent = name('net-absent');
        const missing = await engine.createContainer(request('on-missing-net', { HostConfig: { Init: true, NetworkMode: absent } }));
        const err = await rejection(engine.startContainer(missing.id));
        expect(err.code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        expect(err.message).toContain(`network ${absent} not found`);
        expect((await engine.inspectContainer(missing.id))?.state.status).toBe('created');
      });
    });

    describe('volumes', () => {
      it('create → inspect → list by label → remove; creating an existing name returns it unchanged', async () => {
        const volName = name('vol');
        const v = await engine.createVolume({ Name: volName, Labels: labels({ v: '1' }) });
        expect(v).toMatchObject({ name: volName, driver: 'local', labels: { [PROJECT]: ctx.prefix, v: '1' } });
        expect(await engine.inspectVolume(volName)).toMatchObject({ name: volName, driver: 'local', labels: { v: '1' } });
        const again = await engine.createVolume({ Name: volName, Labels: labels({ v: '1' }) });
        expect(again.labels).toEqual(v.labels);
        expect((await engine.listVolumes({ labels: [`${PROJECT}=${ctx.prefix}`, 'v=1'] })).map((x) => x.name)).toEqual([volName]);
        expect(await engine.listVolumes({ labels: [`${PROJECT}=${ctx.prefix}`, 'v=2'] })).toEqual([]);
        expect((await engine.listVolumes({ names: [volName] })).map((x) => x.name)).toEqual([volName]);
        expect(await engine.listVolumes({ names: [volName.slice(0, -1)] })).toEqual([]);
        await engine.removeVolume(volName);
        expect(await engine.inspectVolume(volName)).toBeUndefined();
      });

      it('removing an unknown volume is not found (unless forced); one in use is a conflict', async () => {
        const missing = name('vol-missing');
        expect(await engine.inspectVolume(missing)).toBeUndefined();
        expect((await rejection(engine.removeVolume(missing))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        await engine.removeVolume(missing, { force: true });
        const volName = name('vol-used');
        await engine.createVolume({ Name: volName, Labels: labels() });
        const { id } = await engine.createContainer(
          request('vol-user', { HostConfig: { Init: true, Mounts: [{ Type: 'volume', Source: volName, Target: '/data' }] } }),
        );
        const mounts = (await engine.inspectContainer(id))!.mounts;
        expect(mounts).toContainEqual(expect.objectContaining({ type: 'volume', name: volName, destination: '/data' }));
        expect((await rejection(engine.removeVolume(volName))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
        await engine.removeContainer(id);
        await engine.removeVolume(volName);
      });
    });

    describe('images', () => {
      it('inspect, tag, remove a tag; the image stays while another name holds it', async () => {
        const base = await engine.inspectImage(ctx.image);
        expect(base?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await engine.inspectImage(`${ctx.prefix}-absent:1`)).toBeUndefined();
        const tag = `${ctx.prefix}-img:contract`;
        await engine.tagImage(ctx.image, tag);
        const tagged = await engine.inspectImage(tag);
        expect(tagged?.id).toBe(base!.id);
        expect(tagged?.repoTags).toContain(tag);
        expect((await engine.inspectImage(ctx.image))?.repoTags).toContain(tag);
        await engine.removeImage(tag);
        expect(await engine.inspectImage(tag)).toBeUndefined();
        expect((await engine.inspectImage(ctx.image))?.id).toBe(base!.id);
        // an absent reference is not an error for removeImage (documented on the interface)
        await engine.removeImage(tag);
        expect((await rejection(engine.tagImage(`${ctx.prefix}-absent:1`, `${ctx.prefix}-img:x`))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
      });
    });

    describe('image builds, pushes, pulls and commits', () => {
      const registry = '127.0.0.1:5000';

      it('build: the tags name the id the build returns', async () => {
        const tag = `${ctx.prefix}-build:1`;
        const context = await tarOf({ Dockerfile: `FROM ${ctx.image}\nLABEL contract=${ctx.prefix}\n` });
        const lines: string[] = [];
        const { id } = await engine.buildImage(Readable.from([context]), { tags: [tag], dockerfile: 'Dockerfile' }, (l) => lines.push(l));
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(lines.length).toBeGreaterThan(0);
        expect((await engine.inspectImage(tag))?.id).toBe(id);
      });

      it('push, then pull back what was removed; the registry serves a digest for it', async () => {
        const ref = `${registry}/${ctx.prefix}-push:1`;
        await engine.tagImage(ctx.image, ref);
        const progress: string[] = [];
        await engine.pushImage(ref, (l) => progress.push(l.status));
        expect(progress.length).toBeGreaterThan(0);
        expect(await engine.distributionDigest(ref)).toMatch(/^sha256:[0-9a-f]{64}$/);
        await engine.removeImage(ref);
        expect(await engine.inspectImage(ref)).toBeUndefined();
        await engine.pullImage(ref);
        expect((await engine.inspectImage(ref))?.repoTags).toContain(ref);
        await engine.removeImage(ref);
      });

      it('what is not there: pull and push fail IMAGE_NOT_FOUND, a digest ENGINE_FAILED', async () => {
        const absent = `${registry}/${ctx.prefix}-absent:1`;
        expect((await rejection(engine.pullImage(absent))).code).toBe(ErrorCodes.IMAGE_NOT_FOUND);
        expect((await rejection(engine.pushImage(absent))).code).toBe(ErrorCodes.IMAGE_NOT_FOUND);
        expect((await rejection(engine.distributionDigest(absent))).code).toBe(ErrorCodes.ENGINE_FAILED);
        expect(await engine.inspectImage(absent)).toBeUndefined();
      });

      it('commit: a new image from a container, named by the reference', async () => {
        const { id: cid } = await engine.createContainer(request('commit'));
        const ref = `${ctx.prefix}-commit:1`;
        const { id } = await engine.commitContainer(cid, { reference: ref });
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect((await engine.inspectImage(ref))?.id).toBe(id);
        expect((await rejection(engine.commitContainer(name('missing')))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
      });
    });

    describe('logs, waits and terminals', () => {
      it('a container that never ran has an empty log; a finished stream ends', async () => {
        const { id } = await engine.createContainer(request('logs'));
        expect(await engine.containerLogs(id)).toBe('');
        const chunks: unknown[] = [];
        for await (const chunk of engine.logStream(id, { follow: false })) chunks.push(chunk);
        expect(chunks).toEqual([]);
        expect((await rejection(engine.containerLogs(name('missing')))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
      });

      it('what a container prints is in its log, stdout and stderr apart', async () => {
        if (!ctx.runsProcesses) return;
        const id = await running('print', { Cmd: ['sh', '-c', 'echo one; echo two >&2'] });
        await engine.waitContainer(id, 'not-running');
        expect((await engine.containerLogs(id)).split('\n').sort()).toEqual(['', 'one', 'two']);
        const streams: string[] = [];
        for await (const c of engine.logStream(id)) streams.push(`${c.stream}:${c.data.toString('utf8')}`);
        expect(streams.sort()).toEqual(['stderr:two\n', 'stdout:one\n']);
      });

      it("waitContainer('removed') resolves once the container is gone; resize of a running one is accepted", async () => {
        const id = await running('wait-rm');
        await engine.resizeContainer(id, { rows: 24, columns: 80 });
        expect((await rejection(engine.resizeContainer(name('missing'), { rows: 1, columns: 1 }))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        const removed = engine.waitContainer(id, 'removed');
        await engine.removeContainer(id, { force: true });
        expect(await removed).toEqual({ exitCode: 137 });
        expect(await engine.inspectContainer(id)).toBeUndefined();
      });

      it('attach to a running container, then close the connection: the container runs on', async () => {
        const id = await running('attach');
        const io = await engine.attachContainer(id, { tty: false });
        io.close();
        expect((await engine.inspectContainer(id))?.state.status).toBe('running');
      });
    });

    describe('exec', () => {
      it('runs in a running container; its exit code is read back once its output ends', async () => {
        const id = await running('exec');
        const cmd = ctx.runsProcesses ? ['sh', '-c', 'echo out; exit 3'] : ['true'];
        const execId = await engine.createExec(id, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
        const io = await engine.startExec(execId, {});
        expect(io).toBeDefined();
        let text = '';
        for await (const chunk of io!.output) text += chunk.data.toString('utf8');
        const done = await eventually(() => engine.inspectExec(execId), (e) => !e.running);
        expect(done.running).toBe(false);
        if (ctx.runsProcesses) {
          expect(text).toBe('out\n');
          expect(done.exitCode).toBe(3);
        } else expect(done.exitCode).toBe(0);
        expect((await rejection(engine.inspectExec(`${'0'.repeat(63)}1`))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        await engine.stopContainer(id, 5);
        expect((await rejection(engine.createExec(id, { Cmd: ['true'] }))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
      });
    });

    describe('archives', () => {
      it('put a tar into a directory, stat and get the file back; missing paths', async () => {
        const { id } = await engine.createContainer(request('archive'));
        await engine.putArchive(id, '/tmp', await tarOf({ 'hello.txt': 'hi there', 'sub/inner.txt': 'inner' }));
        const stat = await engine.statPath(id, '/tmp/hello.txt');
        expect(stat).toMatchObject({ name: 'hello.txt', size: 8 });
        expect(stat!.mode & 0o777).toBe(0o644);
        expect(stat!.mode & 2 ** 31).toBe(0);
        const dir = await engine.statPath(id, '/tmp/sub');
        expect(dir!.name).toBe('sub');
        expect(dir!.mode >= 2 ** 31).toBe(true);
        const file = await engine.getArchive(id, '/tmp/hello.txt');
        expect(file.stat.name).toBe('hello.txt');
        expect(await untar(file.tar)).toEqual({ 'hello.txt': 'hi there' });
        // a directory comes under its own base name
        expect(await untar((await engine.getArchive(id, '/tmp/sub')).tar)).toEqual({ 'sub/inner.txt': 'inner' });
        expect(await engine.statPath(id, '/tmp/absent')).toBeUndefined();
        expect((await rejection(engine.getArchive(id, '/tmp/absent'))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        expect((await rejection(engine.putArchive(id, '/absent-dir', await tarOf({ a: 'a' })))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
        // the whole filesystem, as `docker export`: what was put is in it
        const all = await untar(await engine.exportContainer(id));
        expect(all['tmp/hello.txt']).toBe('hi there');
        expect(all['tmp/sub/inner.txt']).toBe('inner');
      });
    });

    describe('events', () => {
      it('a container emits create, start, die, destroy in order, filtered by label and type', async () => {
        const tag = name('ev');
        const abort = new AbortController();
        const seen: EngineEvent[] = [];
        const since = Math.floor(Date.now() / 1000) - 1;
        const collecting = (async () => {
          for await (const e of engine.events({ labels: [`${tag}=1`], types: ['container'], since, signal: abort.signal })) {
            seen.push(e);
            if (e.action === 'destroy') break;
          }
        })();
        const { id } = await engine.createContainer(request('ev', { Labels: labels({ [tag]: '1' }) }));
        await engine.createContainer(request('ev-other'));
        await engine.startContainer(id);
        await engine.killContainer(id);
        await engine.removeContainer(id);
        const timer = setTimeout(() => abort.abort(), 15_000);
        await collecting.catch(() => undefined);
        clearTimeout(timer);
        abort.abort();
        expect(seen.every((e) => e.type === 'container' && e.id === id)).toBe(true);
        const actions = seen.map((e) => e.action);
        expect(actions.filter((a) => ['create', 'start', 'die', 'destroy'].includes(a))).toEqual(['create', 'start', 'die', 'destroy']);
        expect(actions.indexOf('kill')).toBeGreaterThan(actions.indexOf('start'));
        const create = seen.find((e) => e.action === 'create')!;
        expect(create.attributes).toMatchObject({ [tag]: '1', image: ctx.image, name: expect.stringContaining(`${ctx.prefix}-ev-`) });
        expect(seen.find((e) => e.action === 'die')!.attributes.exitCode).toBe('137');
        expect(create.timeNano).toBeGreaterThan(since * 1e9);
      });

      it('since and until in the past: the events between them, then the stream ends by itself', async () => {
        const tag = name('ev-until');
        const since = Date.now() / 1000 - 1;
        const { id } = await engine.createContainer(request('ev-until', { Labels: labels({ [tag]: '1' }) }));
        await engine.removeContainer(id);
        // past: the engine stamps events by its own clock, to the nanosecond, before answering
        const until = Date.now() / 1000 + 0.05;
        await new Promise((r) => setTimeout(r, 200));
        const seen: string[] = [];
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 15_000);
        for await (const e of engine.events({ labels: [`${tag}=1`], types: ['container'], since, until, signal: abort.signal })) seen.push(e.action);
        clearTimeout(timer);
        // ended by the engine, not by the abort
        expect(abort.signal.aborted).toBe(false);
        expect(seen).toEqual(['create', 'destroy']);
      });

      it('networks and volumes emit create and destroy, filtered by type', async () => {
        const netName = name('ev-net');
        const volName = name('ev-vol');
        const abort = new AbortController();
        const seen: EngineEvent[] = [];
        const since = Math.floor(Date.now() / 1000) - 1;
        const collecting = (async () => {
          for await (const e of engine.events({ types: ['network', 'volume'], since, signal: abort.signal })) {
            if (e.id !== volName && e.attributes.name !== netName) continue;
            seen.push(e);
            if (seen.filter((x) => x.action === 'destroy').length === 2) break;
          }
        })();
        const { id: nid } = await engine.createNetwork({ Name: netName, Labels: labels() });
        await engine.createVolume({ Name: volName, Labels: labels() });
        await engine.removeNetwork(nid);
        await engine.removeVolume(volName);
        const timer = setTimeout(() => abort.abort(), 15_000);
        await collecting.catch(() => undefined);
        clearTimeout(timer);
        abort.abort();
        const net = seen.filter((e) => e.type === 'network');
        expect(net.map((e) => e.action)).toEqual(['create', 'destroy']);
        expect(net.every((e) => e.id === nid && e.attributes.name === netName && e.attributes.type === 'bridge')).toBe(true);
        const vol = seen.filter((e) => e.type === 'volume');
        expect(vol.map((e) => e.action)).toEqual(['create', 'destroy']);
        expect(vol[0]!.attributes.driver).toBe('local');
      });
    });
  });
}
