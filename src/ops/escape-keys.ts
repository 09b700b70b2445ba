// Detaching from an attached terminal with a key sequence (ctrl-p,ctrl-q unless --detach-keys says otherwise),
// as the docker CLI does it on the client side: the keys of the sequence are held back while they match, and
// forwarded after all when a key breaks the match; the whole sequence detaches and is never sent.
import { Transform, type TransformCallback } from 'node:stream';
import { BerthError, ErrorCodes } from '../model/errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

// "ctrl-@" is 0, "ctrl-a" 1 … "ctrl-z" 26, then "ctrl-[" 27, "ctrl-\" 28, "ctrl-]" 29, "ctrl-^" 30, "ctrl-_" 31
const CTRL = ['@', ...'abcdefghijklmnopqrstuvwxyz', '[', '\\', ']', '^', '_'];

/** "ctrl-p,ctrl-q" → [0x10, 0x11]; a single character stands for itself, DEL for 127 (docker's term.ToBytes). */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/.exec(key);
    const code = m ? CTRL.indexOf(m[1]) : -1;
    if (code >= 0) return code;
    if (key === 'DEL') return 127;
    throw new BerthError(ErrorCodes.USAGE, `Unknown character: '${key}'`);
  });
}

/**
 * stdin with the detach sequence taken out: onEscape runs once the whole sequence was typed, and nothing after
 * it is passed on. Matched byte by byte, also inside one read (a terminal multiplexer can deliver two key
 * presses at once, which docker's one-byte-a-read match would miss and hand to the engine).
 */
export function escapeProxy(keys: readonly number[], onEscape: () => void): Transform {
  let pos = 0;
  let escaped = false;
  return new Transform({
    transform(chunk: Buffer | string, _enc, done: TransformCallback) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      if (escaped || !keys.length) return done(null, escaped ? undefined : buf);
      const out: number[] = [];
      for (const byte of buf) {
        if (byte === keys[pos]) {
          pos++;
          if (pos === keys.length) {
            escaped = true;
            break;
          }
          continue;
        }
        // the held keys were not the sequence after all: they go out, then this byte is matched afresh
        out.push(...keys.slice(0, pos));
        pos = 0;
        if (byte === keys[0]) pos = 1;
        else out.push(byte);
      }
      done(null, out.length ? Buffer.from(out) : undefined);
      if (escaped) onEscape();
    },
  });
}
