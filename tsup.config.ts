import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: the core entry and one entry per adapter subpath. Drivers stay external.
    entry: {
      index: 'src/index.ts',
      postgres: 'src/adapters/postgres/index.ts',
      mysql: 'src/adapters/mysql/index.ts',
      sqlite: 'src/adapters/sqlite/index.ts',
      kysely: 'src/kysely/index.ts',
      drizzle: 'src/drizzle/index.ts',
      testing: 'src/testing/index.ts',
      'testing-fixtures': 'src/testing/fixtures.ts',
      opentelemetry: 'src/opentelemetry/index.ts',
      express: 'src/web/express.ts',
      fastify: 'src/web/fastify.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    // One shared chunk for the core, so that every entry (CommonJS too) sees the same error
    // classes and `instanceof ConflictError` holds across purview and purview/postgres.
    splitting: true,
    external: ['pg', 'mysql2', 'better-sqlite3', 'immer', 'kysely', 'drizzle-orm', '@opentelemetry/api', 'express', 'fastify'],
  },
  {
    // The CLI, the package's bin. It bundles the core a second time, so it ships no source map:
    // its map would carry every core source again (test/packaging/source-maps.test.ts), and the
    // CLI prints messages, never stack traces.
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: false,
    target: 'node18',
    platform: 'node',
  },
]);
