// Progress events: ops emit them, ui renders them (tty, plain, json, quiet). Shaped after what docker compose
// prints, one line per resource state change: "Container p-web-1  Started".

/** 'copy': a container's part of `cp`, keyed by the container's name, which compose shows bare. */
export type ResourceKind = 'container' | 'network' | 'volume' | 'image' | 'service' | 'copy';

export type ProgressStatus = 'working' | 'done' | 'warning' | 'error';

export interface ResourceEvent {
  readonly type: 'resource';
  readonly kind: ResourceKind;
  /** The engine object's name: "p-web-1", "p_default". Together with kind it keys a progress line. */
  readonly name: string;
  readonly status: ProgressStatus;
  /** What compose prints: "Creating", "Created", "Starting", "Started", "Waiting", "Healthy", "Stopping", ... */
  readonly text: string;
  readonly service?: string;
  /** Extra detail: an error message, a reason ("config changed"). */
  readonly detail?: string;
  /** What compose prints between the name and the status, when it prints something there (cp: "copy a to b"). */
  readonly label?: string;
}

export interface MessageEvent {
  readonly type: 'message';
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
}

export type ProgressEvent = ResourceEvent | MessageEvent;

export type EventSink = (event: ProgressEvent) => void;

export const noopSink: EventSink = () => {};

/** Compose's display name of a resource: "Container p-web-1". */
export function resourceLabel(kind: ResourceKind, name: string): string {
  if (kind === 'copy') return name;
  return `${kind[0].toUpperCase()}${kind.slice(1)} ${name}`;
}
