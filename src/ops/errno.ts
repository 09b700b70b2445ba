// Node's system errors carry a `code` ("ENOENT"); this reads it from anything thrown, without assuming a shape.
export function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
