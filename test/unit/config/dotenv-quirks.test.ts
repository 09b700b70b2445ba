// .env forms where berth read differently from compose (compose-ref 2.26.1 and the newest compose-go's
// dotenv/parser.go agree on each; expected values taken from `compose-ref config` on the same file).
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../../src/config/dotenv.js';

describe('.env as compose reads it', () => {
  it('reads what follows a closing quote as the next statement', () => {
    expect(parseDotenv("E='x' F=y\nG=\"v\" # c\nK='x'junk\n")).toEqual({ E: 'x', F: 'y', G: 'v', K: 'x' });
    // a doubled single quote is no escape: the rest is a key, and an invalid one
    expect(() => parseDotenv("A=1\nGREETING='it''s'\n")).toThrow(`line 2: unexpected character "'" in variable name "'s'"`);
  });

  it('a backslash escapes the quote in single-quoted values too, and is kept otherwise', () => {
    expect(parseDotenv("C='single \\n \\' quote'\nJ='a\\\\b'\n")).toEqual({ C: "single \\n ' quote", J: 'a\\\\b' });
  });

  it('double-quoted escapes: \\0NNN octal only with three digits, other \\0 forms lose the 0, \\\' kept', () => {
    expect(parseDotenv('D="\\x \\0101 \\012 \\08 \\c \\"q\\" \\\'"\n')).toEqual({ D: '\\x A \\12 \\8 \\c "q" \\\'' });
  });

  it('only " #" starts an inline comment in an unquoted value', () => {
    expect(parseDotenv('A=plain # comment\nB=tab\t#notcomment\n')).toEqual({ A: 'plain', B: 'tab\t#notcomment' });
  });

  it('an unterminated quote names the line it starts on, the key and the column, and not the value', () => {
    // compose-ref says "line 5" here (it counts the lines it scanned looking for the quote) and goes on with the
    // value's text; berth names the start, and keeps a value that may be a half-pasted secret out of the message
    const bad = () => parseDotenv("A=1\nexport U = 'unterminated s3cr3t\nB=2\nC=3\n");
    expect(bad).toThrow("line 2: unterminated quoted value of U: the ' at column 12 is never closed (close it)");
    expect(bad).not.toThrow(/s3cr3t|unterminated s/);
    expect(() => parseDotenv('K="')).toThrow('line 1: unterminated quoted value of K: the " at column 3 is never closed (close it)');
  });
});
