// Byte sizes as docker prints them (go-units): decimal with 3 significant digits for image sizes and I/O
// ("1.98MB", "726B", "1.25kB"), binary with 4 for memory ("444KiB", "23.54GiB").

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sized(bytes: number, base: number, units: readonly string[], precision: number): string {
  let size = bytes;
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  // Go's %.Ng: N significant digits, trailing zeros dropped
  return `${Number(size.toPrecision(precision))}${units[i]}`;
}

/** go-units HumanSizeWithPrecision(size, 3). */
export function humanSize(bytes: number): string {
  return sized(bytes, 1000, DECIMAL, 3);
}

/** go-units BytesSize. */
export function binarySize(bytes: number): string {
  return sized(bytes, 1024, BINARY, 4);
}
