// The public face of ui: the only module that imports listr2 and chalk.
export { resolveColor, createChalk, type AnsiMode, type ColorPolicyInput, type Env, type ChalkInstance } from './color.js';
export {
  createProgressRenderer,
  resolveProgressMode,
  progressId,
  type ProgressMode,
  type ProgressOptions,
  type ProgressRenderer,
  type ProgressStream,
} from './progress.js';
export { renderTable, textWidth, type TableOptions } from './table.js';
export { formatPorts, humanDuration, createdAgo, truncateCommand, goQuote, type PortLike } from './format.js';
export { formatError } from './errors.js';
