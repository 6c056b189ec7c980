/*
 * Issue 11: the layering of src/ (docs/architecture.md), enforced. Runs dependency-cruiser through
 * its JS API over src/ with the project's .dependency-cruiser.cjs and fails listing every violation
 * (rule: from -> to). Warnings (folders that are in no layer yet but allowed for now) do not fail;
 * they are printed.
 *
 * The same check from the command line: `npm run lint:layers`.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let result: ICruiseResult;

beforeAll(async () => {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const tsConfigFile = options.tsConfig?.fileName;
  if (tsConfigFile === undefined) throw new Error('.dependency-cruiser.cjs: options.tsConfig.fileName is missing');
  const tsConfig = join(ROOT, tsConfigFile);
  // Modules are named relative to baseDir (the rules match `^src/`), whatever the working directory.
  const output = await cruise(
    ['src'],
    { ...options, baseDir: ROOT, tsConfig: { fileName: tsConfig }, outputType: 'json' },
    {},
    { tsConfig: extractTSConfig(tsConfig) },
  );
  result = typeof output.output === 'string' ? (JSON.parse(output.output) as ICruiseResult) : output.output;
});

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [relative(ROOT, path).split(sep).join('/')] : [];
  });
}

const chain = (names: readonly string[]): string => names.join(' -> ');

/** One line per violation; a cycle is reported once, whichever of its members it was found from. */
function describeViolations(violations: readonly IViolation[]): string[] {
  const lines = new Set<string>();
  for (const v of violations) {
    const rule = v.rule.name;
    if (v.cycle !== undefined && v.cycle.length > 0) {
      // `cycle` runs from `to` back round to `from`.
      const members = [v.from, ...v.cycle.map((step) => step.name)].slice(0, -1);
      const start = members.indexOf([...members].sort()[0] ?? '');
      const rotated = [...members.slice(start), ...members.slice(0, start)];
      // Each step's dependencyTypes describe the import leading to it. (Folder cycles carry none.)
      const typeOnly = v.cycle.filter((step) => step.dependencyTypes.includes('type-only')).length;
      const note = typeOnly === 0 ? '' : typeOnly === v.cycle.length ? ' (type-only)' : ' (partly type-only)';
      lines.add(`${rule}: ${chain([...rotated, rotated[0] ?? ''])}${note}`);
    } else {
      lines.add(`${rule}: ${v.from} -> ${v.to}`);
    }
  }
  return [...lines].sort();
}

describe('the layering of src/ (docs/architecture.md, .dependency-cruiser.cjs)', () => {
  it('cruises every .ts file under src/ and resolves every import', () => {
    const cruised = result.modules.filter((m) => m.source.startsWith('src/')).map((m) => m.source).sort();
    expect(cruised).toEqual(tsFilesUnder(join(ROOT, 'src')).sort());
    const unresolved = result.modules.flatMap((m) =>
      m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`),
    );
    expect(unresolved, 'imports dependency-cruiser could not resolve').toEqual([]);
    // The './x.js' specifiers must land on the './x.ts' files, or no rule would ever match.
    const intoSrc = result.modules.flatMap((m) => m.dependencies.filter((d) => d.resolved.startsWith('src/')));
    expect(intoSrc.length).toBeGreaterThan(0);
    expect(intoSrc.filter((d) => !d.resolved.endsWith('.ts')).map((d) => d.resolved)).toEqual([]);
  });

  it('has no layering violations', () => {
    const violations = result.summary.violations;
    const warnings = describeViolations(violations.filter((v) => v.rule.severity === 'warn'));
    if (warnings.length > 0) {
      console.warn(`layering: ${warnings.length} warning(s), allowed for now:\n  ${warnings.join('\n  ')}`);
    }
    const errors = describeViolations(violations.filter((v) => v.rule.severity === 'error'));
    expect(errors, `${errors.length} layering violation(s) (rule: from -> to); see docs/architecture.md`).toEqual([]);
  });
});
