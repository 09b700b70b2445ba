// The file sync's STAT packets are encoded by hand (filesync.ts encodeStatPacket): byte for byte what
// protobufjs's generated encoder gives for the same stat, and decoded back to the same fields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeStatPacket, type StatFields } from '../../../src/engine/dockerode/buildkit/filesync.js';
import { int64, protoType } from '../../../src/engine/dockerode/buildkit/proto.js';

const cases: StatFields[] = [
  { path: 'Dockerfile', mode: 0o644, uid: 0, gid: 0, size: int64(13n), modTime: int64(1796463830137123456n) },
  // a directory: Go's ModeDir bit, the top bit of a uint32
  { path: 'src', mode: 2 ** 31 + 0o755, uid: 0, gid: 0, size: int64(0n), modTime: int64(0n) },
  // a symlink with a non-ASCII target, a large file, a device
  { path: 'l\u00e9n/k', mode: 2 ** 27 + 0o777, uid: 0, gid: 0, size: int64(0n), modTime: int64(1n), linkname: '../d\u00e9j\u00e0/\u{1f600}' },
  { path: 'big.bin', mode: 0o600, uid: 1000, gid: 1000, size: int64(2n ** 40n + 5n), modTime: int64(2n ** 62n) },
  { path: 'dev/null', mode: 2 ** 26 + 2 ** 21 + 0o666, uid: 0, gid: 0, size: int64(0n), modTime: int64(7n), devmajor: int64(1n), devminor: int64(3n) },
  { path: '', mode: 0, uid: 0, gid: 0, size: int64(0n), modTime: int64(-1n), linkname: '' },
];

describe('encodeStatPacket', () => {
  it('gives the bytes of protobufjs\u2019s encoder, and decodes to the same stat', async () => {
    const Packet = await protoType('fsutil.types.Packet');
    for (const stat of cases) {
      const ours = encodeStatPacket(stat);
      expect(Buffer.from(ours).toString('hex'), stat.path).toBe(Buffer.from(Packet.encode({ type: 0, stat }).finish()).toString('hex'));
      const back = Packet.toObject(Packet.decode(ours), { longs: String, enums: Number, defaults: true }) as { type: number; stat: Record<string, unknown> };
      expect(back.type).toBe(0);
      expect(back.stat.path).toBe(stat.path);
      expect(back.stat.mode).toBe(stat.mode);
      expect(back.stat.modTime).toBe(String(BigInt.asIntN(64, (BigInt(stat.modTime.high >>> 0) << 32n) | BigInt(stat.modTime.low >>> 0))));
    }
  });

  it('matches protobufjs for any path, mode, ids, sizes and times', async () => {
    const Packet = await protoType('fsutil.types.Packet');
    const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(int64);
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), u32, u32, u32, i64, i64, fc.option(fc.string(), { nil: undefined }), fc.option(fc.tuple(i64, i64), { nil: undefined }), (path, mode, uid, gid, size, modTime, linkname, dev) => {
        const stat: StatFields = { path, mode, uid, gid, size, modTime, ...(linkname !== undefined ? { linkname } : {}), ...(dev ? { devmajor: dev[0], devminor: dev[1] } : {}) };
        expect(Buffer.from(encodeStatPacket(stat)).equals(Buffer.from(Packet.encode({ type: 0, stat }).finish()))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
