// Image reference arithmetic shared by the real engine (pull parameters) and the fake (matching local images).

export interface ImageRefParts {
  /** Repository, possibly with a registry host: "busybox", "localhost:5000/app". */
  readonly name: string;
  readonly tag?: string;
  /** "sha256:…" */
  readonly digest?: string;
}

export function splitImageRef(ref: string): ImageRefParts {
  let name = ref;
  let digest: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  // A colon names a tag only after the last slash; before it, it is a registry port ("localhost:5000/app").
  const colon = name.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  return { name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/**
 * The canonical short form the engine displays: Docker Hub's implicit registry and "library/" dropped, and
 * ":latest" added when neither a tag nor a digest is given. "docker.io/library/busybox" → "busybox:latest".
 */
export function normalizeImageRef(ref: string): string {
  const parts = splitImageRef(ref);
  let name = parts.name;
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) {
    if (name.startsWith(prefix)) name = name.slice(prefix.length);
  }
  if (name.startsWith('library/') && name.indexOf('/', 'library/'.length) < 0) name = name.slice('library/'.length);
  const tag = parts.tag ?? (parts.digest === undefined ? 'latest' : undefined);
  return `${name}${tag === undefined ? '' : `:${tag}`}${parts.digest === undefined ? '' : `@${parts.digest}`}`;
}

/**
 * The fully qualified form the registry is asked with (the reference package's ParseDockerRef): Docker Hub's
 * registry and "library/" made explicit, ":latest" added without tag or digest, a tag dropped beside a digest.
 * "busybox" → "docker.io/library/busybox:latest"; "localhost:5000/app:1" stays.
 */
export function fullImageRef(ref: string): string {
  const { name, tag, digest } = splitImageRef(ref);
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const full = hasRegistry ? name : `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return digest ? `${full}@${digest}` : `${full}:${tag ?? 'latest'}`;
}
