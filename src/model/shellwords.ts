// Splits a command line into words the way compose does (go-shellwords without env or backtick
// expansion): whitespace separates words, single quotes are literal, a backslash outside single quotes
// takes the next character literally, and an unquoted ; & | < > ends the command (the rest is dropped,
// as compose drops it).

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let buf = '';
  // `got` marks a word in progress even when empty, so `""` yields an empty argument
  let got = false;
  let escaped = false;
  let single = false;
  let double = false;
  for (const ch of line) {
    if (escaped) {
      buf += ch;
      escaped = false;
      got = true;
      continue;
    }
    if (ch === '\\' && !single) {
      escaped = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (single || double) {
        buf += ch;
      } else if (got) {
        words.push(buf);
        buf = '';
        got = false;
      }
      continue;
    }
    if (ch === '"' && !single) {
      double = !double;
      got = true;
      continue;
    }
    if (ch === "'" && !double) {
      single = !single;
      got = true;
      continue;
    }
    if (';&|<>'.includes(ch) && !single && !double) break;
    buf += ch;
    got = true;
  }
  if (single || double || escaped) throw new Error(`invalid command line string: ${JSON.stringify(line)}`);
  if (got) words.push(buf);
  return words;
}
