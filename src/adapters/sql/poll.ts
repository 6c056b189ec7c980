import { InvalidInputError } from '../../index.js';

/** Options of {@link pollRevisions}. */
export interface PollOptions {
  readonly intervalMs: number;
  /** Reads the newest revision of the change log. */
  readonly read: () => Promise<number>;
  readonly onRevision: (revision: number) => void;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Follows a change log by polling (the stores without notifications: MySQL, SQLite): reads the
 * newest revision now, then every `intervalMs`, and calls `onRevision` when it moved, and once
 * more after a failed read (the follower catches up on whatever it missed); failures go to
 * `onError` and the polling goes on. Resolves, after the first read, to the function that stops it.
 */
export async function pollRevisions(options: PollOptions): Promise<() => Promise<void>> {
  const { intervalMs, read, onRevision, onError } = options;
  let last = await read();
  let stopped = false;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const safely = (f: () => void): void => {
    try {
      f();
    } catch {
      // A listener's own failure must not stop the polling.
    }
  };
  const tick = async (): Promise<void> => {
    try {
      const r = await read();
      if (stopped) return;
      if (r !== last || failing) safely(() => onRevision(r));
      failing = false;
      last = r;
    } catch (e) {
      if (stopped) return;
      failing = true;
      safely(() => onError?.(e));
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick().finally(schedule);
    }, intervalMs);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await inFlight.catch(() => undefined);
  };
}

/** Throws `InvalidInputError` unless `ms` is a usable polling interval; returns it. */
export function checkPollInterval(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1) {
    throw new InvalidInputError({ message: `pollIntervalMs must be a positive number of milliseconds, got ${String(ms)}`, path: ['pollIntervalMs'] });
  }
  return ms;
}
