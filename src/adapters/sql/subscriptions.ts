/** The open subscriptions of a repository, so that `close()` can stop them all. */
export class Subscriptions {
  readonly #open = new Set<() => Promise<void>>();

  /** Registers a subscription's `stop`; returns the idempotent unsubscribe function to hand out. */
  add(stop: () => Promise<void>): () => Promise<void> {
    let stopped = false;
    const unsubscribe = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      this.#open.delete(unsubscribe);
      await stop();
    };
    this.#open.add(unsubscribe);
    return unsubscribe;
  }

  /** Stops every open subscription. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#open].map((u) => u()));
  }
}
