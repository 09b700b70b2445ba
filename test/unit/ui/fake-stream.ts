// A writable that records what a renderer prints; `isTTY`/`columns` make it pass for a terminal.
export interface FakeStream {
  write(chunk: string): boolean;
  readonly isTTY: boolean;
  readonly columns: number;
  readonly rows: number;
  text(): string;
}

export function fakeStream(isTTY = false, columns = 80): FakeStream {
  const chunks: string[] = [];
  return {
    isTTY,
    columns,
    rows: 24,
    write(chunk: string) {
      chunks.push(String(chunk));
      return true;
    },
    text: () => chunks.join(''),
  };
}
