// How a failure reaches the user: one line, "Error: <message>". Stacks and causes only with BERTH_DEBUG,
// because for a drop-in CLI the message is the interface and a stack trace is noise.
import { createChalk, type Env } from './color.js';

export function formatError(err: unknown, color: boolean, env: Env = process.env, options: { prefix?: boolean } = {}): string {
  const message = messageOf(err);
  // Engine messages often start with "Error response from daemon: ..."; don't print "Error: Error ...".
  // The CLI asks for no prefix: docker compose prints its messages bare.
  const line = options.prefix === false || /^error\b/i.test(message) ? message : `Error: ${message}`;
  const text = env.BERTH_DEBUG ? line + debugDetail(err) : line;
  return createChalk(color).red(text);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

function debugDetail(err: unknown): string {
  let out = '';
  let current: unknown = err;
  // bounded: a cause chain can be cyclic
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (depth > 0) out += `\nCaused by: ${current.message}`;
    if (current.stack) out += '\n' + current.stack.split('\n').slice(1).join('\n');
    current = current.cause;
  }
  return out;
}
