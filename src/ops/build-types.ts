// What a service build takes and gives, shared by the classic builder (build.ts) and BuildKit (build-kit.ts).
import type { BuildKitTransfer } from '../engine/types.js';
import type { EventSink } from '../model/events.js';
import type { Builder, BuildOverrides } from './build-spec.js';

export interface BuildResult {
  readonly service: string;
  readonly image: string;
  readonly id: string;
  /** Bytes of the context sent to the engine: the archive (classic), file content synced (BuildKit). */
  readonly contextBytes: number;
  /** BuildKit: each directory transfer of the build's session (what was listed, what was read). */
  readonly transfers?: readonly BuildKitTransfer[];
}

export interface BuildOptions extends BuildOverrides {
  readonly onEvent?: EventSink;
  /** Default: BuildKit unless DOCKER_BUILDKIT is false (compose's rule), and when the engine has it. */
  readonly builder?: Builder;
  /** At most this many builds at once. */
  readonly parallel?: number;
  readonly signal?: AbortSignal;
}
