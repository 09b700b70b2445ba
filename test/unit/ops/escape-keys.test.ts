// The detach sequence of `attach`: parsed as docker parses it, taken out of stdin, the rest passed on.
import { describe, expect, it } from 'vitest';
import { escapeProxy, parseDetachKeys } from '../../../src/ops/escape-keys.js';

async function through(keys: string, chunks: string[]): Promise<{ out: string; escaped: boolean }> {
  let escaped = false;
  const proxy = escapeProxy(parseDetachKeys(keys), () => {
    escaped = true;
  });
  const got: Buffer[] = [];
  proxy.on('data', (d: Buffer) => got.push(d));
  for (const c of chunks) proxy.write(Buffer.from(c, 'binary'));
  proxy.end();
  await new Promise((r) => proxy.once('end', r));
  return { out: Buffer.concat(got).toString('binary'), escaped };
}

describe('parseDetachKeys', () => {
  it('reads ctrl- names, single characters and DEL, as docker does', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([0x10, 0x11]);
    expect(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-_,a,DEL')).toEqual([0, 27, 28, 31, 97, 127]);
    expect(() => parseDetachKeys('ctrl-p,foo')).toThrow("Unknown character: 'foo'");
  });
});

describe('escapeProxy', () => {
  it('detaches on the sequence, key by key or in one read, and passes nothing of it on', async () => {
    expect(await through('ctrl-p,ctrl-q', ['ls', '\x10', '\x11', 'after'])).toEqual({ out: 'ls', escaped: true });
    expect(await through('ctrl-p,ctrl-q', ['ls\x10\x11after'])).toEqual({ out: 'ls', escaped: true });
  });
  it('a broken sequence goes out whole, the breaking key after it', async () => {
    expect(await through('ctrl-p,ctrl-q', ['\x10', 'x', '\x10\x10', '\x11'])).toEqual({ out: '\x10x\x10', escaped: true });
    expect(await through('ctrl-x,y', ['\x10\x11', 'echo'])).toEqual({ out: '\x10\x11echo', escaped: false });
  });
});
