// The per-run secret of `berth dashboard`: every request carries it (a query parameter for what a browser loads
// by URL, a header for actions), so that another local user, or a page of another origin in this user's
// browser, cannot read the stack or drive it. Compared in constant time: both sides are hashed to one length
// first, so neither the comparison nor an early length check tells how much of a guess was right.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 192 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
