import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/**
 * The CPU time of Pitstop's own code in each phase run of a job: every stretch of synchronous
 * code that runs in the run's async context, less the stretches inside a call "outside" (a
 * simulator, a stand-in tool, a sleep). CPU time, not wall time: on a busy machine a wall clock
 * also counts the time the process waited for a core and the time other jobs held the event loop.
 *
 * Each callback Node runs (timer, I/O, promise reaction) is attributed, through async_hooks, to
 * the run whose context it carries; the process's CPU clock is read at every switch.
 */
interface Run {
  ownCpuMs: number;
  /** Outside calls of this run in flight: while there are any, its code is not charged. */
  inFlight: number;
  done: boolean;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export class OwnTime {
  private readonly runs = new AsyncLocalStorage<Run>();
  /** The last phase run of each job, until its transition is recorded. */
  private readonly lastRun = new Map<string, Run>();
  /** The run whose code is running now, and since when (CPU ms) it has not been charged. */
  private current: Run | undefined;
  private mark = cpuMs();
  private readonly enclosing: (Run | undefined)[] = [];
  private readonly hook = createHook({
    before: () => this.switchTo(this.runs.getStore(), true),
    after: () => this.switchTo(this.enclosing.pop(), false),
  });

  /** From now on every callback is attributed (it slows every promise down: only while measuring). */
  start(): void {
    this.hook.enable();
  }

  stop(): void {
    this.hook.disable();
  }

  /** Runs one phase of `jobId`; `takeOwnCpuMs` gives what its own code cost once it is done. */
  async phase<T>(jobId: string, body: () => Promise<T>): Promise<T> {
    const run: Run = { ownCpuMs: 0, inFlight: 0, done: false };
    this.lastRun.set(jobId, run);
    // The body's first stretch runs now, inside this callback: charged to the run by hand.
    this.switchTo(run, true);
    let started: Promise<T>;
    try {
      started = this.runs.run(run, body);
    } finally {
      this.switchTo(this.enclosing.pop(), false);
    }
    try {
      return await started;
    } finally {
      run.done = true;
    }
  }

  /** Wraps a call that leaves Pitstop (a simulator, a stand-in, a sleep). */
  async outside<T>(call: () => T | Promise<T>): Promise<T> {
    const run = this.runs.getStore();
    if (!run) return call();
    this.charge();
    run.inFlight++;
    try {
      return await call();
    } finally {
      this.charge();
      run.inFlight--;
    }
  }

  /** The own CPU ms of the job's last phase run (once: a transition has one), if one ran. */
  takeOwnCpuMs(jobId: string): number | undefined {
    const run = this.lastRun.get(jobId);
    this.lastRun.delete(jobId);
    return run?.done ? run.ownCpuMs : undefined;
  }

  private switchTo(next: Run | undefined, entering: boolean): void {
    this.charge();
    if (entering) this.enclosing.push(this.current);
    this.current = next;
  }

  private charge(): void {
    const now = cpuMs();
    if (this.current && this.current.inFlight === 0) this.current.ownCpuMs += now - this.mark;
    this.mark = now;
  }
}

/**
 * `target` with every method call timed as outside Pitstop. Properties that are not functions
 * (the OCI adapter's `context`) pass through.
 */
export function outsideCalls<T extends object>(target: T, time: OwnTime): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => time.outside(() => value.apply(object, args));
    },
  });
}

/** CPU ms of a synchronous stretch of code. */
export function cpuOf<T>(body: () => T): { value: T; cpuMs: number } {
  const started = cpuMs();
  const value = body();
  return { value, cpuMs: cpuMs() - started };
}
