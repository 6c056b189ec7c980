/*
 * `sideEffects: false` tells the truth: importing purview changes nothing in the process (immer's
 * plugins are enabled on the first change, not at import). Runs the built dist/ in a fresh Node
 * process, so that no other test has loaded immer's plugins first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}dist/index.js`);

const script = `
import * as immer from 'immer';
const purview = await import('./dist/index.js');
const mapDraft = () => { try { immer.produce(new Map([[1, 1]]), (d) => { d.set(2, 2); }); return 'enabled'; } catch { return 'disabled'; } };
const afterImport = mapDraft();
const engine = purview.createEngine({ policy: { resourceTypes: { lead: { actions: { view: 'read' } } }, users: [{ id: 'u' }], groups: [{ id: 'g' }] } });
const afterCreate = mapDraft();
engine.updateSync((d) => { d.groups.get('g').members.users.push('u'); });
console.log(JSON.stringify({ afterImport, afterCreate, revision: engine.revision, member: engine.can('u', 'view', { type: 'lead', id: 'l', owner: { group: 'g' } }) }));
`;

describe.runIf(built)('importing purview', () => {
  it('enables nothing in immer until the first change, and changes work', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({ afterImport: 'disabled', afterCreate: 'disabled', revision: 1, member: true });
  });
});
