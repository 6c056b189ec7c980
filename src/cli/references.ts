import { dirname, isAbsolute, resolve } from 'node:path';

/*
 * Test files that share their policy or resources with other files: `policy: ./crm.policy.yaml`
 * and `resources: ./records.yaml` (paths relative to the test file) stand for the content of
 * those files, so that one policy file reviewed in pull requests is tested by many test files.
 * A referenced file holds a policy (or a test file, whose `policy` is taken) or a list of
 * resources (or a file whose `resources` are taken); it may not reference further files.
 */

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** How references are read and refused: the loader's document reader and its error. */
export interface ReferenceIO {
  /** Reads a YAML or JSON document; throws the loader's error when it cannot. */
  read(path: string): unknown;
  /** The loader's error about `file`, with `detail`. */
  error(file: string, detail: string): Error;
  /** The detail of an error `read` threw, or undefined when it is not the loader's. */
  detailOf(e: unknown): string | undefined;
}

function referenced(io: ReferenceIO, from: string, key: string, ref: string): { path: string; data: unknown } {
  if (ref.length === 0) throw io.error(from, `${key}: an empty path; write it inline, or the path of a file relative to this one`);
  const path = isAbsolute(ref) ? ref : resolve(dirname(from), ref);
  try {
    return { path, data: io.read(path) };
  } catch (e) {
    const detail = io.detailOf(e);
    if (detail !== undefined) throw io.error(from, `${key}: ${JSON.stringify(ref)}: ${detail}`);
    throw e;
  }
}

/**
 * A parsed test file with its `policy` and `resources` references replaced by the content of the
 * files they name. Throws `TestFileError` naming the key and the file when one cannot be read or
 * holds the wrong thing.
 */
export function withReferences(data: unknown, file: string, io: ReferenceIO): unknown {
  if (!isMapping(data)) return data;
  let out: Record<string, unknown> | undefined;
  const set = (key: string, value: unknown): void => {
    out ??= Object.defineProperties({}, Object.getOwnPropertyDescriptors(data)) as Record<string, unknown>;
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  if (has(data, 'policy') && typeof data.policy === 'string') {
    const { path, data: doc } = referenced(io, file, 'policy', data.policy);
    const policy = isMapping(doc) && has(doc, 'policy') && has(doc, 'assertions') ? doc.policy : doc;
    if (!isMapping(policy)) throw io.error(file, `policy: ${JSON.stringify(data.policy)} (${path}) holds no policy mapping`);
    if (typeof policy.policy === 'string' || typeof policy.resources === 'string') throw io.error(file, `policy: ${JSON.stringify(data.policy)} references further files; a referenced file must hold the policy itself`);
    set('policy', policy);
  }
  if (has(data, 'resources') && typeof data.resources === 'string') {
    const { path, data: doc } = referenced(io, file, 'resources', data.resources);
    const resources = isMapping(doc) && has(doc, 'resources') ? doc.resources : doc;
    if (!Array.isArray(resources)) throw io.error(file, `resources: ${JSON.stringify(data.resources)} (${path}) holds no list of resources`);
    set('resources', resources);
  }
  return out ?? data;
}
