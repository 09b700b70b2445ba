// berth's typed public API. The CLI is a thin layer over these same functions.
// up, down and ps live in up-down.ts, which the CLI imports directly: this module loads every part of berth.
import type { DownOptions, DownResult } from '../ops/down.js';
import type { PsEntry, PsOptions } from '../ops/ps.js';
import { planText } from '../ops/plan.js';
import type { UpOptions, UpResult } from '../ops/up.js';
import { connectEngine } from './engine.js';
import type { ProjectOptions } from './project.js';

export { loadProject, projectToConfigObject, serializeConfig, type LoadOptions } from '../config/index.js';
export { BerthError, ConfigError, EngineError, OperationError, NoSuchServiceError, PullFailedError, ErrorCodes, type ErrorCode } from '../model/errors.js';
export type { Project, ServiceConfig } from '../model/types.js';
export type { ProgressEvent, EventSink } from '../model/events.js';
export type { Engine } from '../engine/types.js';
export type { UpOptions, UpResult, DownOptions, DownResult, PsOptions, PsEntry, ProjectOptions };
export { planText, connectEngine };
export { build, pull, push, type BuildCallOptions, type PullCallOptions, type PushCallOptions, type BuildResult, type PullResult, type PushResult } from './images.js';
export {
  upAttached, logs, start, stop, restart, kill, pause, unpause, rm, wait, checkUpFlags,
  exec, run, runCapture, create, top, port, images, ls, stats, events, cp, attach, scale,
  type ExecCallOptions, type RunCallOptions, type RunCaptureOptions, type RunResult, type CapturedOutput,
  type TopEntry, type ImageEntry, type ProjectEntry, type StatsEntry, type ProjectEvent, type CpOptions,
  type UpAttachedCallOptions, type LogsCallOptions, type LifecycleCallOptions, type AttachedUpOptions, type AttachedUpResult,
  type LogsOptions, type LogEvent, type LogLine, type LogSink, type LifecycleOptions, type RmOptions, type WaitResult,
} from './runtime.js';

export { up, down, ps, type CommonOptions, type UpCallOptions, type DownCallOptions, type PsCallOptions } from './up-down.js';

export { createStack, pruneSessions, Stack, ServiceHandle, StackError, type CreateStackOptions, type StackUpOptions, type StackDownOptions, type ServiceHandleJSON } from './stack.js';
export type { ComposeFile, ComposeService } from './compose-file.js';
export type { WaitStrategy } from './readiness.js';
export type { PruneOptions, PruneResult } from './session.js';
export { SessionLabels } from './session.js';
export { watch, type WatchCallOptions, type DevelopWatch, type DevelopWatchOptions, type WatchBatchReport } from './watch.js';
export type { StackWatch, StackWatchOptions } from './stack.js';

// Swarm stacks (`berth stack …`): deploy a compose file to a Docker Swarm, converging instead of re-sending.
export { deployStack, listStacks, stackServiceList, stackTaskList, removeStack, type StackCallOptions, type StackDeployCallOptions, type StackDeployResult, type StackEntry, type StackServiceEntry, type StackTaskEntry } from './swarm-stack.js';
