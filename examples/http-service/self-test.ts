/**
 * The self-test: starts the server on an ephemeral port, makes requests one after another, prints
 * each answer and whether it was the expected one, and stops the server.
 */
import { request } from 'node:http';
import { USER_HEADER } from './app.js';
import { start } from './server.js';

interface Step {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly user?: string;
  readonly body?: string;
  readonly expect: number;
  /** Why the answer is what it is. */
  readonly note: string;
}

export const STEPS: readonly Step[] = [
  { method: 'GET', path: '/leads', expect: 401, note: 'no user' },
  { method: 'GET', path: '/leads', user: 'mallory', expect: 401, note: 'not a user of the application' },
  { method: 'GET', path: '/leads', user: 'bob', expect: 200, note: 'his own lead and his team\'s' },
  { method: 'GET', path: '/leads', user: 'ann', expect: 200, note: 'her own, and a rep\'s through the hierarchy' },
  { method: 'GET', path: '/leads', user: 'dee', expect: 200, note: 'marketing reads the reps\' leads (sharing rule)' },
  { method: 'GET', path: '/leads/l3', user: 'bob', expect: 200, note: 'team-north owns l3' },
  { method: 'GET', path: '/leads/l2', user: 'bob', expect: 403, note: 'team-south\'s lead' },
  { method: 'GET', path: '/leads/l1', user: 'ed', expect: 403, note: 'inactive' },
  { method: 'GET', path: '/leads/nope', user: 'bob', expect: 404, note: 'no such lead' },
  { method: 'PUT', path: '/leads/l3', user: 'bob', body: '{"status":"qualified"}', expect: 200, note: 'a team member edits' },
  { method: 'PUT', path: '/leads/l1', user: 'dee', body: '{"status":"lost"}', expect: 403, note: 'the sharing rule only reads' },
  { method: 'PUT', path: '/leads/l1', user: 'ann', body: '{"title":"Acme renewal 2026"}', expect: 200, note: 'above bob in the hierarchy' },
  { method: 'PUT', path: '/leads/l3', user: 'bob', body: '{"owner":{"user":"bob"}}', expect: 400, note: 'owners do not change here' },
  { method: 'PUT', path: '/leads/l3', user: 'bob', body: 'not json', expect: 400, note: 'malformed body' },
  { method: 'DELETE', path: '/leads/l1', user: 'ann', expect: 405, note: 'no such route' },
  { method: 'GET', path: '/leads/l3', user: 'cy', expect: 403, note: 'after the edit, still team-north\'s' },
  { method: 'GET', path: '/leads/l1', user: 'dee', expect: 200, note: 'sees ann\'s new title' },
];

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(port: number, step: Step): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (step.user !== undefined) headers[USER_HEADER] = step.user;
    const req = request({ host: '127.0.0.1', port, method: step.method, path: step.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(step.body);
  });
}

/** A body as one short line: a list of leads as their ids, anything else as compact JSON. */
function summarize(body: string): string {
  try {
    const value = JSON.parse(body) as unknown;
    if (Array.isArray(value)) return `[${value.map((l) => (l as { id: string }).id).join(', ')}]`;
    return JSON.stringify(value);
  } catch {
    return body;
  }
}

/** Runs the self-test; resolves to true when every answer had the expected status. */
export async function selfTest(log: (line: string) => void): Promise<boolean> {
  const running = await start(0);
  log('server started on 127.0.0.1 (ephemeral port)');
  let good = 0;
  try {
    for (const step of STEPS) {
      const answer = await send(running.port, step);
      const ok = answer.status === step.expect;
      if (ok) good++;
      const who = step.user === undefined ? '(no user)' : `as ${step.user}`;
      log(`${ok ? 'ok  ' : 'FAIL'} ${step.method.padEnd(6)} ${step.path.padEnd(11)} ${who.padEnd(10)} -> ${answer.status} ${summarize(answer.body)}   # ${step.note}`);
      if (!ok) log(`     expected ${step.expect}`);
    }
  } finally {
    await running.close();
  }
  log('server stopped');
  log(`${good} of ${STEPS.length} requests answered as expected`);
  return good === STEPS.length;
}
