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

/** One step (vertex) of a BuildKit build; times are ms since the epoch. */
export interface BuildVertex {
  readonly digest: string;
  readonly name: string;
  readonly cached: boolean;
  readonly started?: number;
  readonly completed?: number;
  readonly error?: string;
}

/** A sub-task of a step ("transferring context"), with byte counts. */
export interface BuildVertexStatus {
  readonly vertex: string;
  readonly id: string;
  readonly name: string;
  readonly current: number;
  readonly total: number;
  readonly timestamp?: number;
  readonly started?: number;
  readonly completed?: number;
}

/** Output of a step: 1 stdout, 2 stderr. */
export interface BuildLog {
  readonly vertex: string;
  readonly stream: number;
  readonly data: Uint8Array;
  readonly timestamp?: number;
}

/** One BuildKit progress update (a vertex repeats as its state changes). */
export interface BuildProgress {
  readonly vertexes: readonly BuildVertex[];
  readonly statuses: readonly BuildVertexStatus[];
  readonly logs: readonly BuildLog[];
}

/**
 * BuildKit's progress of one service's build. Vertex names carry the service as compose shows them:
 * "[web 1/3] FROM ...", "[web internal] load .dockerignore", "[web] exporting to image".
 */
export interface BuildEvent extends BuildProgress {
  readonly type: 'build';
  readonly service: string;
}

export type ProgressEvent = ResourceEvent | MessageEvent | BuildEvent;

export type EventSink = (event: ProgressEvent) => void;

export const noopSink: EventSink = () => {};

/** Compose's display name of a resource: "Container p-web-1". */
export function resourceLabel(kind: ResourceKind, name: string): string {
  if (kind === 'copy') return name;
  return `${kind[0].toUpperCase()}${kind.slice(1)} ${name}`;
}
