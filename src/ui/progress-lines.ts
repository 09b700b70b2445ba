// What every progress renderer shares: the stream and renderer shapes and how an event becomes a line. A module
// of its own so that progress.ts (which picks a renderer) and progress-tty.ts (one renderer) do not import each other.
import { resourceLabel, type MessageEvent, type ProgressEvent, type ResourceEvent } from '../model/events.js';
import type { ChalkInstance } from './color.js';

/** The part of a NodeJS.WriteStream the renderers use; a test can pass a plain object. */
export interface ProgressStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressRenderer {
  onEvent(e: ProgressEvent): void;
  /** Flush and stop; idempotent. Events after done() are dropped. */
  done(): Promise<void>;
}

/**
 * The id compose prints for a resource: "Container p-web-1", "Network p_default". Compose 2.26 quotes a
 * volume's name while creating it (`Volume "p_data"  Creating`) and nowhere else; mimicked here so that
 * ops can emit plain names.
 */
export function progressId(e: Pick<ResourceEvent, 'kind' | 'name' | 'text' | 'label'>): string {
  if (e.label) return `${resourceLabel(e.kind, e.name)} ${e.label}`;
  if (e.kind === 'volume' && (e.text === 'Creating' || e.text === 'Created')) return `Volume "${e.name}"`;
  return resourceLabel(e.kind, e.name);
}

/** Messages the way compose's logger prints them on a terminal: "WARN[0003] text", seconds since start. */
export function messageLine(e: MessageEvent, chalk: ChalkInstance, startedAt: number): string {
  if (e.level === 'info') return e.text;
  const secs = String(Math.min(9999, Math.floor((Date.now() - startedAt) / 1000))).padStart(4, '0');
  const tag = e.level === 'warning' ? chalk.yellow('WARN') : chalk.red('ERRO');
  return `${tag}[${secs}] ${e.text}`;
}
