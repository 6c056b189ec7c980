/**
 * An HTTP service that guards its routes with the engine, on Node's own `http`.
 *
 *   npx tsx examples/http-service/main.ts                   self-test: start, make requests, print, exit
 *   npx tsx examples/http-service/main.ts --serve [--port N] serve on 127.0.0.1 until Ctrl-C
 *
 * Then, for example: curl -H 'x-user: bob' http://127.0.0.1:N/leads
 */
import { parseArgs } from 'node:util';
import { selfTest } from './self-test.js';
import { start } from './server.js';

const { values } = parseArgs({ options: { serve: { type: 'boolean' }, port: { type: 'string' } }, strict: true });

if (values.serve === true) {
  const port = Number(values.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const running = await start(port);
  console.log(`listening on http://127.0.0.1:${running.port} (users: ann, bob, cy, dee, ed; send them as the x-user header)`);
  process.once('SIGINT', () => {
    void running.close().then(() => console.log('stopped'));
  });
} else {
  const passed = await selfTest((line) => console.log(line));
  process.exitCode = passed ? 0 : 1;
}
