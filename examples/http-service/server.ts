/**
 * Starting and stopping the HTTP server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine } from '../../src/index.js';
import { createHandler, type LeadStore } from './app.js';
import { initialLeads, policy } from './policy.js';

/** A running server. */
export interface Running {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting requests, closes every connection, and resolves when the server is down. */
  close(): Promise<void>;
}

/** Starts the application on 127.0.0.1 at `port` (0: an ephemeral port the system picks). */
export function start(port = 0): Promise<Running> {
  const engine = createEngine({ policy });
  const leads: LeadStore = new Map(initialLeads.map((l) => [l.id, l]));
  const server = createServer(createHandler(engine, leads));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => (e === undefined ? done() : fail(e)));
            server.closeAllConnections();
          }),
      });
    });
  });
}
