/**
 * Group commit: callers that arrive while a flush is running share the next flush, and each
 * caller's promise resolves only once a flush that started after its call has finished, so
 * its change is durable. One flush runs at a time.
 */
export class GroupCommit {
  private pending: Promise<void> | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  commit(): Promise<void> {
    this.pending ??= this.nextFlush();
    return this.pending;
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.pending ?? this.running) await (this.pending ?? this.running)!.catch(() => {});
  }

  private async nextFlush(): Promise<void> {
    // Yield once so `pending` is set before we look at it and same-tick callers join this flush.
    await Promise.resolve();
    if (this.running) await this.running.catch(() => {});
    this.pending = undefined;
    const run = this.flush();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
