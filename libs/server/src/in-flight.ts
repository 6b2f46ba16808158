/**
 * Work under way by key, shared: the callers that ask for a key while its promise is pending get
 * that promise instead of starting the work again (a cold cache under load asks once). A settled
 * promise leaves; one that `forget` or `clear` dropped stays with the callers that already have it,
 * and the next caller starts afresh.
 */
export class InFlight<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  /** The pending promise of `key`, or `start()`'s, shared until it settles. */
  run(key: K, start: () => Promise<V>): Promise<V> {
    const known = this.pending.get(key);
    if (known) return known;
    const promise = start();
    this.pending.set(key, promise);
    // this handler also marks a rejection as handled: its callers see it
    const settled = () => void (this.pending.get(key) === promise && this.pending.delete(key));
    promise.then(settled, settled);
    return promise;
  }

  has(key: K): boolean {
    return this.pending.has(key);
  }

  get(key: K): Promise<V> | undefined {
    return this.pending.get(key);
  }

  forget(key: K): void {
    this.pending.delete(key);
  }

  clear(): void {
    this.pending.clear();
  }
}
