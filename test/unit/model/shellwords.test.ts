import { describe, expect, it } from 'vitest';
import { splitShellWords } from '../../../src/model/shellwords.js';

describe('splitShellWords (compose / go-shellwords rules)', () => {
  it.each([
    ['npm run "start dev"', ['npm', 'run', 'start dev']],
    ['  a   b  ', ['a', 'b']],
    [`sh -c 'echo "$HOME"'`, ['sh', '-c', 'echo "$HOME"']],
    ['a\\ b c', ['a b', 'c']],
    ['"a\\"b" \'x\\y\'', ['a"b', 'x\\y']],
    ['""', ['']],
    ["a '' b", ['a', '', 'b']],
    ['echo a; echo b', ['echo', 'a']],
    ['a | b', ['a']],
    ['echo "a;b"', ['echo', 'a;b']],
    ['', []],
  ])('%j', (line, words) => expect(splitShellWords(line)).toEqual(words));

  it.each(['"open', "'open", 'trailing\\'])('rejects %j', (line) => expect(() => splitShellWords(line)).toThrow());
});
