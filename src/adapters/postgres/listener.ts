import type { ClientBase, Notification } from 'pg';
import { RepositoryError } from '../../index.js';

/** A connection the listener holds on its own, and how to give it back. */
export interface ListenConnection {
  readonly client: ClientBase;
  /** Closes (or destroys) the connection; never reused, since it has LISTEN state. */
  release(): Promise<void>;
}

export interface ListenOptions {
  /** Opens a fresh, connected connection. */
  readonly connect: () => Promise<ListenConnection>;
  /** The raw channel name, to filter notifications. */
  readonly channel: string;
  /** Starts listening on the connection and resolves to the stored revision. */
  readonly start: (client: ClientBase) => Promise<number>;
  readonly onRevision: (revision: number) => void;
  readonly onError: (error: unknown) => void;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Listens on a channel over a dedicated connection. When the connection is lost it reports the
 * error, reconnects with exponential backoff (with jitter), listens again and then calls
 * `onRevision` with the stored revision, so that the follower catches up on whatever it missed
 * while it was away. Resolves once the first LISTEN is in place (rejects if it cannot be); the
 * returned function stops listening and closes the connection.
 */
export async function listen(options: ListenOptions): Promise<() => Promise<void>> {
  let stopped = false;
  let current: ListenConnection | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = options.initialDelayMs;

  const safely = (f: () => void): void => {
    try {
      f();
    } catch {
      // A listener's own failure must not break the subscription.
    }
  };

  /** Connects and listens; rejects (having closed what it opened) if either fails. */
  const attach = async (): Promise<number> => {
    const conn = await options.connect();
    const client = conn.client;
    let lost = false;
    const onLost = (error: unknown): void => {
      if (lost) return;
      lost = true;
      client.removeListener('notification', onNotification);
      if (current === conn) current = undefined;
      void conn.release().catch(() => undefined);
      if (stopped) return;
      safely(() => options.onError(error));
      schedule();
    };
    const onNotification = (msg: Notification): void => {
      if (msg.channel !== options.channel || stopped) return;
      const r = Number(msg.payload);
      safely(() => options.onRevision(Number.isFinite(r) ? r : 0));
    };
    client.on('notification', onNotification);
    client.on('error', (e: unknown) => onLost(e));
    client.on('end', () => onLost(new RepositoryError({ message: `the connection listening on ${JSON.stringify(options.channel)} ended` })));
    try {
      const revision = await options.start(client);
      if (lost) throw new RepositoryError({ message: `the connection listening on ${JSON.stringify(options.channel)} was lost while it started` });
      if (stopped) {
        lost = true;
        await conn.release().catch(() => undefined);
        return revision;
      }
      current = conn;
      delay = options.initialDelayMs;
      return revision;
    } catch (e) {
      lost = true;
      client.removeListener('notification', onNotification);
      await conn.release().catch(() => undefined);
      throw e;
    }
  };

  const schedule = (): void => {
    if (stopped || timer !== undefined) return;
    const wait = delay * (0.5 + Math.random() / 2);
    delay = Math.min(delay * 2, options.maxDelayMs);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      attach().then(
        (revision) => {
          if (!stopped) safely(() => options.onRevision(revision));
        },
        (e: unknown) => {
          if (stopped) return;
          safely(() => options.onError(e));
          schedule();
        },
      );
    }, wait);
  };

  await attach();

  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const conn = current;
    current = undefined;
    if (conn !== undefined) await conn.release().catch(() => undefined);
  };
}
