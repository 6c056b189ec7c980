import { withReferences } from './references.js';
import { MAX_ID_LENGTH } from '../model/ids.js';
import { PRINCIPAL_KINDS } from '../model/input-fields.js';
import {
  ASSERTION_KINDS,
  CHECK_ASSERTION_FIELDS,
  CHECK_EXPECTATIONS,
  CHECK_QUERY_FIELDS,
  DENIAL_CODES,
  EXPECTABLE_ERRORS,
  FIELDS_EXPECT_FIELDS,
  FIELDS_QUERY_FIELDS,
  OTHER_ASSERTION_FIELDS,
  OWNER_KINDS,
  RESOURCE_FIELDS,
  SHARE_FIELDS,
  SHARE_LEVELS,
  TEST_FILE_FIELDS,
  WHO_CAN_QUERY_FIELDS,
} from './test-file-fields.js';
import { expectInstant } from '../model/instant.js';
import { readFileSync, statSync } from 'node:fs';
import { Composer, isAlias, isMap, isNode, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type YAMLError, type YAMLMap, type YAMLSeq } from 'yaml';
import { displayText, quoteText } from '../render/escape.js';
import type { DenialCode } from '../decide/decision.js';
import { instantMillis } from '../model/instant.js';
import type { Resource } from '../model/resource.js';

/*
 * Loading and validating one policy test file (docs/testing-policies.md). Everything here is strict: an
 * unknown key at the top level, in a resource or in an assertion is an error that names the key
 * and the file, so that a misspelt field never silently tests nothing. The policy itself is left
 * to the engine, which validates it as strictly when the file is run.
 */

/** Files larger than this are refused before they are read. */
export const MAX_TEST_FILE_BYTES = 10 * 1024 * 1024;

export { ASSERTION_KINDS, DENIAL_CODES, EXPECTABLE_ERRORS } from './test-file-fields.js';

/** A problem with a test file itself (unreadable, malformed, unknown key): the file fails with this message. */
export class TestFileError extends Error {
  override readonly name = 'TestFileError';
  readonly file: string;
  /** The problem, without the file name. */
  readonly detail: string;
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.file = file;
    this.detail = detail;
  }
}

interface AssertionBase {
  /** Position in the file's `assertions` list. */
  readonly index: number;
  /** An optional label from the file. */
  readonly name?: string;
  /** The instant the assertion is answered at (its own, else the file's); the real clock when absent. */
  readonly asOf?: string;
}

/** `check: { user, action, resource }` with `expect: allow | deny` and, for a deny, an optional `denial` code. */
export interface CheckAssertion extends AssertionBase {
  readonly kind: 'check';
  readonly user: string;
  readonly action: string;
  readonly resource: string;
  readonly expect: 'allow' | 'deny';
  readonly denial?: DenialCode;
}

/** `groupsOf: user`, `membersOf: group`, `effectiveOwners: resource` or `whoCan: { action, resource }`, each expecting a set of ids. */
export type ListAssertion = AssertionBase & { readonly expect: readonly string[] } & (
    | { readonly kind: 'groupsOf'; readonly user: string }
    | { readonly kind: 'membersOf'; readonly group: string }
    | { readonly kind: 'effectiveOwners'; readonly resource: string }
    | { readonly kind: 'whoCan'; readonly action: string; readonly resource: string }
  );

/** `permittedFields: { user, resource }` with `expect: { read: [...], write: [...] }`, each compared as a set. */
export interface FieldsAssertion extends AssertionBase {
  readonly kind: 'permittedFields';
  readonly user: string;
  readonly resource: string;
  readonly expect: { readonly read: readonly string[]; readonly write: readonly string[] };
}

/** One assertion of a test file: one test. */
export type Assertion = CheckAssertion | ListAssertion | FieldsAssertion;


/** A validated test file. */
export interface TestFile {
  /** The path (or label) the file was loaded from, as reports show it. */
  readonly file: string;
  readonly name?: string;
  readonly description?: string;
  /** The policy, as plain data: the engine validates it when the file runs. */
  readonly policy: unknown;
  /** The resources, keyed by id (a `Map`, so that any id, `__proto__` included, is only an id). */
  readonly resources: ReadonlyMap<string, Resource>;
  readonly assertions: readonly Assertion[];
  /** When set, the file passes only if loading the policy fails with an error of this name. */
  readonly expectError?: string;
  /** The file's top-level `asOf`: the instant of every assertion that names none. */
  readonly asOf?: string;
}


type Plain = Record<string, unknown>;

function has(o: Plain, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function get(o: Plain, key: string): unknown {
  return has(o, key) ? o[key] : undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${quoteText(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

/** A name from the file, quoted for a one-line message (invisible and line-breaking characters escaped), shortened past 80 characters. */
function q(s: string): string {
  return quoteText(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function isPlain(v: unknown): v is Plain {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Validates one file's data; every failure names the file and where in it. */
class Reader {
  constructor(readonly file: string) {}

  fail(where: string, what: string): never {
    throw new TestFileError(this.file, where === '' ? what : `${where}: ${what}`);
  }

  object(v: unknown, where: string, what: string): Plain {
    if (!isPlain(v)) this.fail(where, `expected ${what}, got ${describe(v)}`);
    return v;
  }

  onlyKeys(o: Plain, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) {
        this.fail(where, `unknown key ${q(key)}; expected one of ${allowed.join(', ')}`);
      }
    }
  }

  id(v: unknown, where: string, what: string): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(where, `expected ${what} (a non-empty string), got ${describe(v)}`);
    if (v.length > MAX_ID_LENGTH) this.fail(where, `${what} is ${v.length} characters long; ids are at most ${MAX_ID_LENGTH}`);
    return v;
  }

  list(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v)) this.fail(where, `expected a list, got ${describe(v)}`);
    return v;
  }

  idList(v: unknown, where: string, what: string): string[] {
    return this.list(v, where).map((x, i) => this.id(x, `${where}[${i}]`, what));
  }

  text(v: unknown, where: string): string {
    if (typeof v !== 'string') this.fail(where, `expected a string, got ${describe(v)}`);
    return v;
  }

  resource(v: unknown, where: string): Resource {
    const o = this.object(v, where, 'a resource mapping');
    this.onlyKeys(o, RESOURCE_FIELDS, where);
    // A record of a controlled type has a parent (the id of another resource here) instead of an
    // owner; which types are controlled is the policy's business, checked when the file is run.
    for (const key of ['type', 'id']) if (!has(o, key)) this.fail(where, `a resource needs ${q(key)}`);
    if (!has(o, 'owner') && !has(o, 'parent')) this.fail(where, `a resource needs ${q('owner')} (or ${q('parent')}, for a record of a controlled type)`);
    this.id(o.type, `${where}.type`, 'a resource type');
    this.id(o.id, `${where}.id`, 'a resource id');
    if (has(o, 'tenant')) this.id(o.tenant, `${where}.tenant`, 'a tenant id');
    if (has(o, 'parent')) this.id(o.parent, `${where}.parent`, 'the id of the parent resource');
    if (has(o, 'owner')) {
      const owner = this.object(o.owner, `${where}.owner`, '{ user: ID } or { group: ID }');
      const ownerKeys = Object.keys(owner);
      if (ownerKeys.length !== 1 || !(OWNER_KINDS as readonly string[]).includes(ownerKeys[0] as string)) {
        this.fail(`${where}.owner`, 'the owner must be exactly one of { user: ID } or { group: ID }');
      }
      this.id(owner[ownerKeys[0] as string], `${where}.owner.${ownerKeys[0] as string}`, `an owner ${ownerKeys[0] as string} id`);
    }
    if (has(o, 'accessGroups')) this.idList(o.accessGroups, `${where}.accessGroups`, 'an access group id');
    if (has(o, 'attributes')) {
      const attrs = this.object(o.attributes, `${where}.attributes`, 'a mapping of attributes');
      for (const [k, a] of Object.entries(attrs)) {
        const ok =
          typeof a === 'string' ||
          typeof a === 'boolean' ||
          (typeof a === 'number' && Number.isFinite(a)) ||
          (Array.isArray(a) && a.every((x) => typeof x === 'string'));
        if (!ok) this.fail(`${where}.attributes${/^[A-Za-z_$][\w$-]{0,63}$/.test(k) ? `.${k}` : `[${q(k)}]`}`, `expected a string, number, boolean or list of strings, got ${describe(a)}`);
      }
    }
    if (has(o, 'shares') && o.shares !== null) this.list(o.shares, `${where}.shares`).forEach((sh, i) => this.share(sh, `${where}.shares[${i}]`));
    return o as unknown as Resource;
  }

  /** An instant (`asOf`), checked as the engine checks it, with the key it was found at. */
  instant(v: unknown, where: string): string {
    try {
      return expectInstant(v, [], 'an instant');
    } catch (e) {
      return this.fail(where, e instanceof Error ? e.message.replace(/^: /, '') : String(e));
    }
  }

  /** A record share: `{ to: { user | role | roleAndSubordinates | group: ID }, level, since?, until? }`. */
  share(v: unknown, where: string): void {
    const o = this.object(v, where, 'a share mapping { to, level, since?, until? }');
    this.onlyKeys(o, SHARE_FIELDS, where);
    if (!has(o, 'to')) this.fail(where, 'a share needs `to`, the principal it shares the record with');
    const to = this.object(o.to, `${where}.to`, 'a principal { user: ID }, { role: ID }, { roleAndSubordinates: ID } or { group: ID }');
    const keys = Object.keys(to);
    if (keys.length !== 1 || !(PRINCIPAL_KINDS as readonly string[]).includes(keys[0] as string)) {
      this.fail(`${where}.to`, 'a principal is exactly one of { user: ID }, { role: ID }, { roleAndSubordinates: ID } or { group: ID }');
    }
    this.id(to[keys[0] as string], `${where}.to.${keys[0] as string}`, `a ${keys[0] as string} id`);
    const level = get(o, 'level');
    if (typeof level !== 'string' || !(SHARE_LEVELS as readonly string[]).includes(level)) this.fail(`${where}.level`, `expected the share's level: read, readWrite or full, got ${describe(level)}`);
    const bound = (key: 'since' | 'until'): number | undefined => {
      const b = get(o, key);
      if (b === undefined || b === null) return undefined;
      const ms = typeof b === 'string' ? instantMillis(b) : undefined;
      // YAML reads an unquoted date-time as a string here (the core schema); anything else is no instant.
      if (ms === undefined) this.fail(`${where}.${key}`, `expected an instant such as "2026-12-31T17:00:00Z" (RFC 3339, Z or an offset), got ${describe(b)}`);
      return ms;
    };
    const since = bound('since');
    const until = bound('until');
    if (since !== undefined && until !== undefined && since >= until) this.fail(`${where}.until`, 'until must be after since');
  }

  assertion(v: unknown, index: number, resources: ReadonlyMap<string, Resource>, fileAsOf?: string): Assertion {
    const where = `assertions[${index}]`;
    const o = this.object(v, where, `an assertion (a mapping with one of ${ASSERTION_KINDS.join(', ')} and expect)`);
    const kinds = ASSERTION_KINDS.filter((k) => has(o, k));
    if (kinds.length !== 1) {
      this.fail(where, kinds.length === 0
        ? `an assertion needs one of ${ASSERTION_KINDS.join(', ')}${Object.keys(o).length > 0 ? ` (found ${Object.keys(o).map(q).join(', ')})` : ''}`
        : `an assertion asks one thing; found ${kinds.join(' and ')}`);
    }
    const kind = kinds[0] as (typeof ASSERTION_KINDS)[number];
    // A check says asOf inside its query (check: { user, action, resource, asOf }); the others beside it.
    this.onlyKeys(o, kind === 'check' ? CHECK_ASSERTION_FIELDS : [kind, ...OTHER_ASSERTION_FIELDS], where);
    if (!has(o, 'expect')) this.fail(where, 'an assertion needs expect');
    const name = has(o, 'name') ? this.text(o.name, `${where}.name`) : undefined;
    const inner = kind === 'check' && isPlain(o[kind]) && has(o[kind] as Plain, 'asOf') ? (o[kind] as Plain).asOf : undefined;
    const asOf =
      kind === 'check' ? (inner === undefined ? fileAsOf : this.instant(inner, `${where}.check.asOf`)) : has(o, 'asOf') ? this.instant(o.asOf, `${where}.asOf`) : fileAsOf;
    const base = { index, ...(name === undefined ? {} : { name }), ...(asOf === undefined ? {} : { asOf }) };
    const resourceRef = (r: unknown, at: string): string => {
      const id = this.id(r, at, 'a resource id');
      if (!resources.has(id)) this.fail(at, `no resource with id ${q(id)} in resources`);
      return id;
    };
    const expectList = (): string[] => {
      const e = get(o, 'expect');
      if (!Array.isArray(e)) this.fail(`${where}.expect`, `expected a list of ids (compared as a set), got ${describe(e)}`);
      return this.idList(e, `${where}.expect`, 'an id');
    };
    const q0 = o[kind];
    switch (kind) {
      case 'check': {
        const c = this.object(q0, `${where}.check`, 'a mapping { user, action, resource }');
        this.onlyKeys(c, CHECK_QUERY_FIELDS, `${where}.check`);
        for (const key of ['user', 'action', 'resource']) if (!has(c, key)) this.fail(`${where}.check`, `a check needs ${key}`);
        const user = this.id(c.user, `${where}.check.user`, 'a user id');
        const action = this.id(c.action, `${where}.check.action`, 'an action');
        const resource = resourceRef(c.resource, `${where}.check.resource`);
        const e = o.expect;
        if (e !== CHECK_EXPECTATIONS[0] && e !== CHECK_EXPECTATIONS[1]) this.fail(`${where}.expect`, `expected allow or deny, got ${describe(e)}`);
        let denial: DenialCode | undefined;
        if (has(o, 'denial')) {
          if (e !== 'deny') this.fail(`${where}.denial`, 'denial only goes with expect: deny');
          if (typeof o.denial !== 'string' || !(DENIAL_CODES as readonly string[]).includes(o.denial)) {
            this.fail(`${where}.denial`, `expected one of ${DENIAL_CODES.join(', ')}, got ${describe(o.denial)}`);
          }
          denial = o.denial as DenialCode;
        }
        return { ...base, kind, user, action, resource, expect: e, ...(denial === undefined ? {} : { denial }) };
      }
      case 'groupsOf':
        return { ...base, kind, user: this.id(q0, `${where}.groupsOf`, 'a user id'), expect: expectList() };
      case 'membersOf':
        return { ...base, kind, group: this.id(q0, `${where}.membersOf`, 'a group id'), expect: expectList() };
      case 'effectiveOwners':
        return { ...base, kind, resource: resourceRef(q0, `${where}.effectiveOwners`), expect: expectList() };
      case 'whoCan': {
        const c = this.object(q0, `${where}.whoCan`, 'a mapping { action, resource }');
        this.onlyKeys(c, WHO_CAN_QUERY_FIELDS, `${where}.whoCan`);
        for (const key of ['action', 'resource']) if (!has(c, key)) this.fail(`${where}.whoCan`, `whoCan needs ${key}`);
        const action = this.id(c.action, `${where}.whoCan.action`, 'an action');
        const resource = resourceRef(c.resource, `${where}.whoCan.resource`);
        return { ...base, kind, action, resource, expect: expectList() };
      }
      case 'permittedFields': {
        const c = this.object(q0, `${where}.permittedFields`, 'a mapping { user, resource }');
        this.onlyKeys(c, FIELDS_QUERY_FIELDS, `${where}.permittedFields`);
        for (const key of ['user', 'resource']) if (!has(c, key)) this.fail(`${where}.permittedFields`, `permittedFields needs ${key}`);
        const user = this.id(c.user, `${where}.permittedFields.user`, 'a user id');
        const resource = resourceRef(c.resource, `${where}.permittedFields.resource`);
        const e = this.object(get(o, 'expect'), `${where}.expect`, 'a mapping { read: [fields], write: [fields] }');
        this.onlyKeys(e, FIELDS_EXPECT_FIELDS, `${where}.expect`);
        const list = (key: 'read' | 'write'): string[] => {
          if (!has(e, key)) this.fail(`${where}.expect`, `expect needs ${key} (a list of fields, compared as a set; [] for none)`);
          const l = e[key];
          if (!Array.isArray(l)) this.fail(`${where}.expect.${key}`, `expected a list of fields (compared as a set), got ${describe(l)}`);
          return this.idList(l, `${where}.expect.${key}`, 'a field name');
        };
        return { ...base, kind, user, resource, expect: { read: list('read'), write: list('write') } };
      }
    }
  }
}

/**
 * Validates the data of one test file (already parsed from YAML or JSON). Throws
 * {@link TestFileError} naming the file and the offending key or position.
 */
export function validateTestFile(data: unknown, file: string): TestFile {
  const r = new Reader(file);
  const o = r.object(data, '', 'a mapping with policy, resources and assertions at the top level');
  r.onlyKeys(o, TEST_FILE_FIELDS, '');
  if (!has(o, 'policy')) r.fail('', 'missing policy');
  const policy = o.policy;
  if (!isPlain(policy)) r.fail('policy', `expected a mapping, got ${describe(policy)}`);
  const name = has(o, 'name') ? r.text(o.name, 'name') : undefined;
  const description = has(o, 'description') ? r.text(o.description, 'description') : undefined;

  const resources = new Map<string, Resource>();
  if (has(o, 'resources') && o.resources !== null) {
    r.list(o.resources, 'resources').forEach((v, i) => {
      const res = r.resource(v, `resources[${i}]`);
      if (resources.has(res.id)) r.fail(`resources[${i}].id`, `duplicate resource id ${q(res.id)}; assertions refer to resources by id`);
      resources.set(res.id, res);
    });
  }

  let expectError: string | undefined;
  if (has(o, 'expectError')) {
    const e = o.expectError;
    if (typeof e !== 'string' || !(EXPECTABLE_ERRORS as readonly string[]).includes(e)) {
      r.fail('expectError', `expected an error name, one of ${EXPECTABLE_ERRORS.join(', ')}; got ${describe(e)}`);
    }
    expectError = e as string;
  }

  const rawAssertions = has(o, 'assertions') && o.assertions !== null ? r.list(o.assertions, 'assertions') : [];
  if (expectError !== undefined && rawAssertions.length > 0) {
    r.fail('assertions', 'a file with expectError has no assertions: its policy is expected not to load');
  }
  if (expectError === undefined && rawAssertions.length === 0) {
    r.fail('', 'no assertions (and no expectError): the file would test nothing');
  }
  const fileAsOf = has(o, 'asOf') ? r.instant(o.asOf, 'asOf') : undefined;
  const assertions = rawAssertions.map((v, i) => r.assertion(v, i, resources, fileAsOf));

  return {
    file,
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    policy,
    resources,
    assertions,
    ...(expectError === undefined ? {} : { expectError }),
    ...(fileAsOf === undefined ? {} : { asOf: fileAsOf }),
  };
}

/** How deeply a test file may nest lists and maps (the library and its parsers recurse; deep nesting is a denial of service). */
export const MAX_NESTING = 200;

/**
 * The most values a test file may hold: every key, scalar, list and mapping, an alias counted as
 * the values it stands for (so that an alias bomb is refused before anything expands it).
 */
export const MAX_VALUES = 1_000_000;

/**
 * The larger bounds of a JSON file (a resources file of 100,000 records is about 11 MB and 1.5
 * million values): `JSON.parse` is native and linear, without YAML's aliases or a syntax tree.
 */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/** The most values a JSON file may hold (see {@link MAX_JSON_FILE_BYTES}). */
export const MAX_JSON_VALUES = 10_000_000;

/**
 * The most tokens (scalars, indicators, spaces, line breaks, comments) the YAML parser may read
 * from one file. The parser's syntax tree costs a few hundred bytes a token, so this bounds its
 * memory and time well below what the size limit alone allows; JSON files have no such limit.
 */
export const MAX_YAML_TOKENS = 1_000_000;

/** The parser's stack holds the open collections plus the document and a node or two in progress. */
const PARSER_STACK_SLACK = 10;

const YAML_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  // Checked here in linear time: the parser's own check compares each key with every earlier one.
  uniqueKeys: false,
  logLevel: 'silent',
} as const;

function tooDeep(file: string): TestFileError {
  return new TestFileError(file, `the file nests more than ${MAX_NESTING} levels deep (lists and mappings, aliases expanded); a test file may nest at most ${MAX_NESTING} levels: flatten it`);
}

function tooMany(file: string, max = MAX_VALUES): TestFileError {
  return new TestFileError(
    file,
    `the file holds more than ${max.toLocaleString('en-US')} values (keys, scalars, lists and mappings, each alias counted as the values it stands for); a ${max === MAX_VALUES ? 'YAML' : 'JSON'} file may hold at most ${max.toLocaleString('en-US')}: split it`,
  );
}

/** What a finished YAML node stands for: its value, and its size and depth with aliases expanded. */
interface Built {
  readonly value: unknown;
  readonly size: number;
  readonly depth: number;
}

/** A list or mapping being converted. */
interface Frame {
  readonly node: YAMLMap | YAMLSeq;
  readonly out: unknown[] | Plain;
  readonly keys: Set<string> | undefined;
  next: number;
  size: number;
  depth: number;
  /** For a mapping: the key of the value being converted. */
  key: string;
}

function setOwn(o: Plain, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Converts a parsed YAML document to plain data, iteratively, with every bound checked as it goes:
 * nesting depth and value count with aliases expanded (an alias stands for the value of the last
 * anchor of that name before it, as in YAML; the value is shared, never copied), unique keys
 * (by the property name a key becomes), scalar keys only, and no alias to a node that contains it.
 * The work is linear in the document's nodes however far its aliases would expand.
 */
function yamlData(doc: Document.Parsed, file: string, where: (offset: number) => string): unknown {
  const fail = (offset: number | undefined, message: string): never => {
    throw new TestFileError(file, `invalid YAML: ${message}${offset === undefined ? '' : ` at ${where(offset)}`}`);
  };
  const anchors = new Map<string, object>();
  const finished = new Map<object, Built>();
  const stack: Frame[] = [];
  const offsetOf = (node: unknown): number | undefined => (isNode(node) && node.range !== undefined && node.range !== null ? node.range[0] : undefined);

  /** A leaf's value, or undefined after pushing a collection's frame. */
  const enter = (node: unknown): Built | undefined => {
    if (node === null || node === undefined) return { value: null, size: 1, depth: 0 };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) return fail(offsetOf(node), `alias ${q(`*${node.source}`)} has no anchor of that name before it`);
      const built = finished.get(target);
      if (built === undefined) return fail(offsetOf(node), `alias ${q(`*${node.source}`)} refers to a node that contains it`);
      return built;
    }
    if (isScalar(node)) {
      const v = node.value;
      if (!(v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        return fail(offsetOf(node), `unsupported value (${typeof v}); a test file holds strings, numbers, booleans and null`);
      }
      const built = { value: v, size: 1, depth: 0 };
      if (node.anchor !== undefined) {
        anchors.set(node.anchor, node);
        finished.set(node, built);
      }
      return built;
    }
    if (isMap(node) || isSeq(node)) {
      if (node.anchor !== undefined) anchors.set(node.anchor, node);
      if (stack.length >= MAX_NESTING) throw tooDeep(file);
      const map = isMap(node);
      stack.push({ node, out: map ? {} : [], keys: map ? new Set() : undefined, next: 0, size: 1, depth: 0, key: '' });
      return undefined;
    }
    return fail(offsetOf(node), 'unsupported node');
  };

  const add = (f: Frame, b: Built): void => {
    f.size = Math.min(f.size + b.size, MAX_VALUES + 1);
    if (f.size > MAX_VALUES) throw tooMany(file);
    f.depth = Math.max(f.depth, b.depth);
    if (Array.isArray(f.out)) f.out.push(b.value);
    else setOwn(f.out, f.key, b.value);
  };

  const root = enter(doc.contents);
  if (root !== undefined) return root.value;
  for (;;) {
    const f = stack[stack.length - 1] as Frame;
    const items = f.node.items as readonly unknown[];
    if (f.next >= items.length) {
      stack.pop();
      const built = { value: f.out, size: f.size, depth: f.depth + 1 };
      if (built.depth > MAX_NESTING) throw tooDeep(file);
      if (f.node.anchor !== undefined) finished.set(f.node, built);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return built.value;
      add(parent, built);
      continue;
    }
    const item = items[f.next++];
    let child: unknown = item;
    if (f.keys !== undefined) {
      if (!isPair(item)) return fail(offsetOf(item), 'unsupported mapping entry');
      const k = item.key === null || item.key === undefined ? { value: null, size: 1, depth: 0 } : isScalar(item.key) || isAlias(item.key) ? enter(item.key) : undefined;
      if (k === undefined || (k.value !== null && typeof k.value === 'object')) {
        return fail(offsetOf(item.key), 'a mapping key must be a string, number, boolean or null, not a list or mapping');
      }
      const name = k.value === null ? '' : String(k.value);
      if (f.keys.has(name)) return fail(offsetOf(item.key), `Map keys must be unique; ${q(name)} is repeated`);
      f.keys.add(name);
      f.key = name;
      f.size = Math.min(f.size + k.size, MAX_VALUES + 1);
      if (f.size > MAX_VALUES) throw tooMany(file);
      child = item.value;
    }
    const b = enter(child);
    if (b !== undefined) add(f, b);
  }
}

/** Checks plain data from JSON against the same bounds, iteratively (JSON has no aliases). */
function checkJsonData(data: unknown, file: string): void {
  let count = 0;
  const values: unknown[] = [data];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (++count > MAX_JSON_VALUES) throw tooMany(file, MAX_JSON_VALUES);
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > MAX_NESTING) throw tooDeep(file);
    if (Array.isArray(v)) {
      for (const x of v) {
        values.push(x);
        depths.push(depth + 1);
      }
    } else {
      for (const k of Object.keys(v)) {
        if (++count > MAX_JSON_VALUES) throw tooMany(file, MAX_JSON_VALUES);
        values.push((v as Plain)[k]);
        depths.push(depth + 1);
      }
    }
  }
}

/**
 * Parses YAML with the work bounded by what the parser builds: the lexer's tokens are fed to the
 * parser one at a time, refusing the file once it has read {@link MAX_YAML_TOKENS} tokens or holds
 * more open collections than {@link MAX_NESTING} allows; composing stops at the first error or
 * warning; the document is converted by {@link yamlData}.
 */
function parseYaml(text: string, file: string): unknown {
  const lines = new LineCounter();
  const where = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const invalid = (message: string, offset: number | undefined): TestFileError =>
    new TestFileError(file, `invalid YAML: ${displayText(message.trim())}${offset === undefined || offset < 0 ? '' : ` at ${where(offset)}`}`);
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0); // as Parser.parse does; feeding the parser token by token skips it
  const composer = new Composer(YAML_OPTIONS);
  // Stop at the first problem: every error or warning refuses the file, and a composer that went on
  // would build one error object per bad token (seconds and gigabytes for `[,,,...]`).
  const internals = composer as unknown as { onError?: unknown; errors: YAMLError[]; warnings: YAMLError[] };
  const report = internals.onError;
  let first: TestFileError | undefined;
  if (typeof report === 'function') {
    internals.onError = (...args: unknown[]): void => {
      // The composer catches some exceptions and reports them here: the first problem stays the one.
      if (first !== undefined) throw first;
      (report as (...a: unknown[]) => void)(...args);
      const list = args[3] === true ? internals.warnings : internals.errors;
      const e = list[list.length - 1];
      first = invalid(e?.message ?? String(args[2]), e?.pos[0]);
      throw first;
    };
  }
  let doc: Document.Parsed | undefined;
  let documents = 0;
  const take = (token: CST.Token): void => {
    if (token.type === 'error') throw invalid(token.source === '' ? token.message : `${token.message}: ${JSON.stringify(token.source)}`, token.offset);
    if (token.type === 'document') documents++;
    if (documents > 1) return; // only counted: a test file is one document
    for (const d of composer.next(token)) doc ??= d;
  };
  let tokens = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      throw new TestFileError(
        file,
        `the YAML text has more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} tokens; a YAML test file may hold at most ${MAX_YAML_TOKENS.toLocaleString('en-US')}: split it, or write it as JSON (which has no token limit)`,
      );
    }
    for (const token of parser.next(lexeme)) take(token);
    if (parser.stack.length > MAX_NESTING + PARSER_STACK_SLACK) throw tooDeep(file);
  }
  for (const token of parser.end()) take(token);
  if (documents > 1) throw new TestFileError(file, `the file holds ${documents} YAML documents; a test file is one document`);
  for (const d of composer.end()) doc ??= d;
  if (doc === undefined) throw new TestFileError(file, 'the file is empty');
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw invalid(problem.message, problem.pos[0]);
  if (doc.contents === null) throw new TestFileError(file, 'the file is empty');
  return yamlData(doc, file, where);
}

/**
 * Parses the text of a test file: JSON when the name ends in `.json`, YAML otherwise (YAML 1.2
 * core schema: no custom or language-specific tags, no merge keys, one document, unique keys).
 * Refuses, with a {@link TestFileError} that says which limit, a text over
 * {@link MAX_TEST_FILE_BYTES} (JSON: {@link MAX_JSON_FILE_BYTES}), data nested over
 * {@link MAX_NESTING} levels or holding over {@link MAX_VALUES} values (JSON:
 * {@link MAX_JSON_VALUES}), and YAML over {@link MAX_YAML_TOKENS} tokens. These are fixed limits
 * of `purview test`; no option raises them.
 */
export function parseTestFileText(text: string, file: string): unknown {
  const json = /\.json$/i.test(file);
  const max = json ? MAX_JSON_FILE_BYTES : MAX_TEST_FILE_BYTES;
  if (text.length > max) {
    throw new TestFileError(file, `file is larger than ${max / (1024 * 1024)} MB; split it`);
  }
  if (json) {
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch (e) {
      throw new TestFileError(file, `invalid JSON: ${displayText((e as Error).message)}`);
    }
    checkJsonData(data, file);
    return data;
  }
  return parseYaml(text, file);
}

/** Parses and validates the text of one test file. */
export function parseTestFile(text: string, file: string): TestFile {
  return validateTestFile(parseTestFileText(text, file), file);
}

/**
 * Reads and parses a YAML or JSON document from disk (JSON when the name ends in `.json`), with the
 * limits and YAML settings of test files; nothing is validated. Throws `TestFileError`.
 */
export function readDocument(path: string): unknown {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new TestFileError(path, 'not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof TestFileError) throw e;
    throw new TestFileError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const max = /\.json$/i.test(path) ? MAX_JSON_FILE_BYTES : MAX_TEST_FILE_BYTES;
  if (size > max) {
    throw new TestFileError(path, `file is ${size} bytes, larger than ${max / (1024 * 1024)} MB; split it${max === MAX_TEST_FILE_BYTES ? ' (or write it as JSON, which may be up to 64 MB)' : ''}`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TestFileError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseTestFileText(text, path);
}

/** Reads, parses and validates one test file from disk; refuses files over {@link MAX_TEST_FILE_BYTES}. */
export function loadTestFile(path: string): TestFile {
  return validateTestFile(readTestDocument(path), path);
}

/**
 * Reads a resources file, as `--resources FILE` names one: a list of resources, or a mapping with a
 * `resources` list (a test file, its shared files resolved). Returns the list as written (each
 * caller checks it, and each resource, where it is used). Throws `TestFileError` for a document that
 * is neither.
 */
export function readResourcesDocument(path: string): unknown {
  const data = readTestDocument(path);
  if (Array.isArray(data)) return data;
  if (isPlain(data) && has(data, 'resources')) return data.resources;
  throw new TestFileError(path, 'expected a list of resources, or a mapping with a "resources" list (a test file)');
}

/** The keys only a test file has: a mapping without `policy` and without these is a bare policy. */
const TEST_ONLY_FIELDS: readonly string[] = TEST_FILE_FIELDS.filter((k) => k !== 'name' && k !== 'description');

/**
 * Whether a parsed document is a bare policy file (a policy at the top level, as `purview validate`
 * and `purview diff` read it) rather than a test file: a mapping with none of the keys only a test
 * file has (`policy`, `resources`, `assertions`, `expectError`, `asOf`).
 */
export function isBarePolicy(doc: unknown): doc is Record<string, unknown> {
  return isPlain(doc) && !TEST_ONLY_FIELDS.some((k) => has(doc, k));
}

/**
 * Reads a test file (YAML or JSON) with its shared-file references resolved: `policy: ./x.yaml`
 * and `resources: ./y.yaml` (relative to the file) stand for those files' content.
 */
export function readTestDocument(path: string): unknown {
  return withReferences(readDocument(path), path, {
    read: readDocument,
    error: (file, detail) => new TestFileError(file, detail),
    detailOf: (e) => (e instanceof TestFileError ? e.detail : undefined),
  });
}
