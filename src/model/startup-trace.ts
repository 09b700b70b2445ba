// BERTH_STARTUP_TRACE=1: the launcher (bin/berth.js) records named moments of a run, in ms since the process
// started, and prints them to stderr at exit with Node's own start-up milestones (docs/performance.md, issue
// 19). Off, a mark is one property read of an absent global (after the caller built its name): nothing is
// recorded.
const MARK = Symbol.for('berth.mark');

export function startupMark(name: string): void {
  (globalThis as { [MARK]?: (name: string) => void })[MARK]?.(name);
}
