// @ts-check
/**
 * The layering of src/, checked by dependency-cruiser.
 *
 *   npm run lint:layers                          (the CLI, readable output)
 *   npx vitest run test/architecture/layers.test.ts   (the same rules, as a test)
 *
 * docs/architecture.md explains the layers to a newcomer. To change the layering, edit the tables
 * below (LAYERS, WITHIN_LEVEL, TOP, UNPLACED); every rule is generated from them.
 *
 * Paths are folders (or files) relative to src/. Type-only imports count as dependencies too
 * (tsPreCompilationDeps), since a type import ties two folders together just as much.
 */

/**
 * The core, lowest level first. A folder may import from folders at its own level or below, never
 * from a higher one. Everything here is "the core"; nothing here may import the top (TOP).
 */
const LAYERS = [
  /* 0 */ ['text', 'errors'], // plain text helpers; error classes
  /* 1 */ ['model', 'ports'], // policy data, ids, shapes; port interfaces (types from model)
  /* 2 */ ['access'], // action tables, capability sets
  /* 3 */ ['validate'], // validation of policies and changes
  /* 4 */ ['compile'], // the compiled snapshot (replaces today's src/index and src/graph)
  /* 5 */ ['decide', 'filter', 'query'], // decisions, access filters, queries
  /* 6 */ ['changes'], // change sets, change records, commands
  /* 7 */ ['engine'], // the engine: snapshots, updates, views
  /* 8 */ ['diff'], // access diffs between two policy versions (two engines)
];

/**
 * Order inside one level: [lower, higher]. The higher folder may import the lower one, never the
 * reverse.
 */
const WITHIN_LEVEL = [
  ['text', 'errors'],
  ['model', 'ports'],
  ['decide', 'filter'],
  ['decide', 'query'],
];

/**
 * The top: the public entry and the outer shells. Each may import the whole core; among each other
 * only what `mayImport` lists.
 */
const TOP = [
  { name: 'render', path: 'render', mayImport: [] }, // text renderings of a policy (graphs, descriptions)
  { name: 'schema', path: 'schema', mayImport: [] }, // JSON Schemas of policy files, generated from model's vocabulary
  { name: 'cli', path: 'cli', mayImport: ['render', 'schema', 'index.ts'] }, // the purview command
  { name: 'testing', path: 'testing', mayImport: ['index.ts'] }, // purview/testing: conformance suites
  { name: 'adapters', path: 'adapters', mayImport: ['index.ts'] }, // memory repository; purview/postgres, purview/mysql, purview/sqlite (sharing adapters/sql)
  // purview/kysely and purview/drizzle: the driver-free compiler of toSql and resourceFromRow, never pg.
  { name: 'kysely', path: 'kysely', mayImport: ['index.ts', 'adapters/postgres/to-sql.ts', 'adapters/postgres/chunks.ts', 'adapters/postgres/from-row.ts'] },
  { name: 'drizzle', path: 'drizzle', mayImport: ['index.ts', 'adapters/postgres/to-sql.ts', 'adapters/postgres/chunks.ts', 'adapters/postgres/from-row.ts'] },
  { name: 'opentelemetry', path: 'opentelemetry', mayImport: ['index.ts'] }, // purview/opentelemetry: spans through @opentelemetry/api
  { name: 'web', path: 'web', mayImport: ['index.ts'] }, // purview/express, purview/fastify (their types only)
  // The playground page (purview play), bundled for the browser: the library, toSql, and the CLI's
  // browser-safe test file loader and runner (their node:fs and node:path are shimmed in the bundle).
  { name: 'play', path: 'play', mayImport: ['index.ts', 'adapters/postgres/to-sql.ts', 'cli/test-file.ts', 'cli/run-tests.ts', 'cli/play-payload.ts'] },
  // The public entry: it must stay free of Node-only and driver code, so neither cli, testing nor
  // adapters/postgres; the memory repository is part of the public API.
  { name: 'public-entry', path: 'index.ts', mayImport: ['render', 'adapters/memory-repository.ts', 'adapters/memory-resource-store.ts'] },
];

/**
 * Folders under src/ that are in no layer yet but allowed for now: today's src/index and src/graph,
 * until the compiled snapshot moves to src/compile. Their imports are reported as warnings. Any
 * other folder that is in neither LAYERS nor TOP is an error. To forbid these too, empty the list:
 * `const UNPLACED = [];`
 * @type {string[]}
 */
const UNPLACED = [];

// ---------------------------------------------------------------------------------------------
// Rules generated from the tables above.

/** @type {import('dependency-cruiser').SeverityType} */
const ERROR = 'error';
/** @type {import('dependency-cruiser').SeverityType} */
const WARN = 'warn';

const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regex source matching a folder (every file under it) or a single file, given relative to src/. */
const at = (/** @type {string} */ p) => (p.endsWith('.ts') ? `^src/${escape(p)}$` : `^src/${escape(p)}/`);
const anyOf = (/** @type {string[]} */ ps) => ps.map(at).join('|');

const coreFolders = LAYERS.flat();
const topPaths = TOP.map((t) => t.path);
const known = [...coreFolders, ...topPaths];

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.flatMap((folders, level) => {
  const higher = LAYERS.slice(level + 1).flat();
  if (higher.length === 0) return []; // the top of the core; core-not-on-top covers the rest
  return [
    {
      name: `layer-${level}-${folders.join('-')}`,
      comment: `${folders.join(', ')} (level ${level}) must not import a higher level of the core: ${higher.join(', ')}.`,
      severity: ERROR,
      from: { path: anyOf(folders) },
      to: { path: anyOf(higher) },
    },
  ];
});

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const withinLevelRules = WITHIN_LEVEL.map(([lower, higher]) => ({
  name: `${lower}-below-${higher}`,
  comment: `${higher} may import ${lower}, but ${lower} must not import ${higher}.`,
  severity: ERROR,
  from: { path: at(String(lower)) },
  to: { path: at(String(higher)) },
}));

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const topRules = TOP.flatMap(({ name, path, mayImport }) => {
  const others = topPaths.filter((p) => p !== path);
  if (others.length === 0) return [];
  return [
    {
      name: `top-${name}`,
      comment:
        `${path} may import the core` +
        (mayImport.length > 0 ? ` and ${mayImport.join(', ')}` : '') +
        `, but no other part of the top (${others.join(', ')}).`,
      severity: ERROR,
      from: { path: at(path) },
      to: mayImport.length > 0 ? { path: anyOf(others), pathNot: anyOf(mayImport) } : { path: anyOf(others) },
    },
  ];
});

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const rules = [
  {
    name: 'no-circular',
    comment: 'No import cycles between files anywhere in src/ (type-only imports included).',
    severity: ERROR,
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'no-circular-folders',
    comment: 'No import cycles between folders of src/: each folder sits at one place in the layering.',
    severity: ERROR,
    scope: 'folder',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'core-not-on-top',
    comment:
      `The core (everything in src/ below the top) must never import the top: ${topPaths.join(', ')}. ` +
      'Unknown folders count as core here.',
    severity: ERROR,
    from: { path: '^src/', pathNot: anyOf(topPaths) },
    to: { path: anyOf(topPaths) },
  },
  ...layerRules,
  ...withinLevelRules,
  ...topRules,
  {
    name: 'ports-types-only',
    comment: 'ports holds interfaces: its imports must be type-only (import type ...).',
    severity: ERROR,
    from: { path: at('ports') },
    to: { dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'not-in-a-layer',
    comment: `A folder of src/ that is in no layer (${known.join(', ')}) imports outside itself. Give it a layer.`,
    severity: ERROR,
    from: { path: '^src/([^/]+)/', pathNot: anyOf([...known, ...UNPLACED]) },
    to: { path: '^src/', pathNot: '^src/$1/' },
  },
  {
    name: 'not-in-a-layer-imported',
    comment: `A file in no layer (${known.join(', ')}) is imported. Give its folder a layer.`,
    severity: ERROR,
    from: { path: anyOf([...known, ...UNPLACED]) },
    to: { path: '^src/', pathNot: anyOf([...known, ...UNPLACED]) },
  },
  {
    name: 'src-root-is-the-entry',
    comment: 'Only the public entry src/index.ts lives directly in src/; other files belong in a layer folder.',
    severity: ERROR,
    from: { path: '^src/[^/]+$', pathNot: at('index.ts') },
    to: { path: '^src/' },
  },
  ...(UNPLACED.length === 0
    ? []
    : [
        {
          name: 'unplaced',
          comment: `Allowed for now: ${UNPLACED.join(', ')} are in no layer yet; this is an import from one of them to elsewhere.`,
          severity: WARN,
          from: { path: `^src/(${UNPLACED.map(escape).join('|')})/` },
          to: { path: '^src/', pathNot: '^src/$1/' },
        },
        {
          name: 'unplaced-imported',
          comment: `Allowed for now: ${UNPLACED.join(', ')} are in no layer yet; this is an import of one of them from a layer.`,
          severity: WARN,
          from: { path: anyOf(known) },
          to: { path: anyOf(UNPLACED) },
        },
      ]),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: rules,
  options: {
    // Packages are leaves. (No includeOnly: an import that does not resolve must stay visible.)
    doNotFollow: { path: 'node_modules' },
    // Resolve the NodeNext-style './x.js' specifiers to the './x.ts' files through tsconfig.json.
    tsConfig: { fileName: 'tsconfig.json' },
    // Count `import type` too.
    tsPreCompilationDeps: true,
  },
};
