// Apart from the loader, so that commands answered from the project cache do not load the loader to learn it.
import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The working directory as the shell names it: $PWD when it is the same directory as the process's cwd (a
 * path through a symlink stays as the user typed it), as Go's os.Getwd, and so docker compose, does.
 */
export function workingDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const physical = process.cwd();
  const logical = env.PWD;
  if (logical && path.isAbsolute(logical) && logical !== physical) {
    try {
      if (realpathSync(logical) === realpathSync(physical)) return logical;
    } catch {
      // a PWD that does not exist any more is not the working directory
    }
  }
  return physical;
}
