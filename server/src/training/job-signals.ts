/**
 * In-process wake-ups for job watchers: whatever changes a job in this process (a report, a log
 * batch, a transition) calls `notify`, and watchers parked in `wait` look again at once. Changes made
 * by other processes are found by the watchers' own periodic look, so this is only a latency
 * shortcut, never the sole source of truth.
 */
export class JobSignals {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(jobId: string): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    this.waiters.delete(jobId);
    for (const wake of set) wake();
  }

  /** Resolves on the next `notify(jobId)`, after `timeoutMs`, or when `signal` aborts. */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let set = this.waiters.get(jobId);
      if (!set) this.waiters.set(jobId, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.waiters.get(jobId)?.delete(done);
        if (this.waiters.get(jobId)?.size === 0) this.waiters.delete(jobId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }
}
