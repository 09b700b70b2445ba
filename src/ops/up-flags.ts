// The flag rules of `up`, apart from attached.ts: detached `up` checks them without loading attached mode.
import { BerthError, ErrorCodes } from '../model/errors.js';

/** The flag rules of compose's `up`, as one usage error each. */
export function checkUpFlags(f: {
  detach?: boolean;
  wait?: boolean;
  attach?: readonly string[];
  noAttach?: readonly string[];
  attachDependencies?: boolean;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noStart?: boolean;
}): void {
  const usage = (m: string) => new BerthError(ErrorCodes.USAGE, m);
  const abortExit = f.abortOnContainerExit || (!!f.exitCodeFrom && !f.abortOnContainerFailure);
  if (f.exitCodeFrom && f.abortOnContainerFailure) throw usage('--exit-code-from cannot be combined with --abort-on-container-failure');
  if (abortExit && f.abortOnContainerFailure) throw usage('--abort-on-container-failure cannot be combined with --abort-on-container-exit');
  if (f.wait && (f.attachDependencies || abortExit || f.abortOnContainerFailure || f.attach?.length)) {
    throw usage('--wait cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies');
  }
  if (f.detach && (f.attachDependencies || abortExit || f.abortOnContainerFailure || f.attach?.length)) {
    throw usage('--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies');
  }
  if (f.attach?.length && f.attachDependencies) throw usage('--attach cannot be combined with --attach-dependencies');
  if (f.forceRecreate && f.noRecreate) throw usage('--force-recreate and --no-recreate are incompatible');
  if (f.noStart && (abortExit || f.abortOnContainerFailure || f.attach?.length || f.attachDependencies)) {
    throw usage('--no-start cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies');
  }
}
