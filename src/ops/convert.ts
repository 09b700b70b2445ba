// Service config → the Engine API requests, shaped the way docker compose 2.26 shapes them (labels, aliases,
// Binds for host paths that may be created, Mounts for everything else, resources, namespaces), so that
// inspecting a berth container and a compose container shows the same thing. Everything here is pure: ids of
// other containers come in through ContainerSpecInput, and what must happen after create (files copied into
// the container) is returned as data for the executor.
//
// Invariants kept throughout:
// - a key the service does not set is left out of the request (undefined), so the engine applies its own
//   default exactly as it does for compose, which sends Go zero values the engine treats as "unset";
// - the service comes in the one shape the loader gives (src/model/types.ts: long syntax, sizes as byte-count
//   strings, durations in Go syntax); where the model keeps a value as written (`number | string`), the
//   readers of convert/values.ts take both forms its type allows, and nothing else.
//
// The code lives in convert/, one file a concern; this module is its public face.
export type { ContainerSpecInput } from './convert/input.js';
export { containerLabels, dependsOnLabel } from './convert/labels.js';
export { endpointSettings, networkCreateRequest, networkName, serviceLinks, serviceNetworks, volumeName } from './convert/networks.js';
export { fileArchive, fileObjectTarget, postCreateCopies, type PostCreateCopy } from './convert/files.js';
export { serviceMounts, volumeCreateRequest } from './convert/mounts.js';
export { resources } from './convert/resources.js';
export { createRequest, healthConfig, restartPolicy } from './convert/request.js';
