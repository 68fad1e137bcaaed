import { expect, it, type TestContext } from 'vitest';
import { checkInvariants, type FleetRecord } from './invariants.js';

/**
 * The fault matrix: each chaos file is a table of cases (data: group, name, fault, expected,
 * and how to cause it), run in order on one shared rig. After every case the shared checker
 * (invariants.ts) reads what the fleet saw; the case's figures go to test/chaos/reporter.ts
 * through the test's meta.
 */
export type Group = 'crash' | 'store' | 'oci' | 'slurm' | 'health' | 'slack' | 'secrets';

export interface ChaosCase<R> {
  group: Group;
  name: string;
  /** What is done to the system. */
  fault: string;
  /** What must happen (the case's own assertions check it). */
  expected: string;
  /** Causes the fault and asserts `expected`; returns what the fleet saw, for the invariants. */
  run(rig: R): Promise<FleetRecord | undefined>;
  timeoutMs?: number;
}

export interface ChaosMeta {
  group: Group;
  name: string;
  jobsLost: number;
  duplicates: number;
}

declare module 'vitest' {
  interface TaskMeta {
    chaos?: ChaosMeta;
  }
}

export function runMatrix<R>(cases: ChaosCase<R>[], rig: () => R): void {
  for (const chaosCase of cases) {
    it(
      `${chaosCase.group}: ${chaosCase.name}`,
      async (context: TestContext) => {
        const meta: ChaosMeta = {
          group: chaosCase.group,
          name: chaosCase.name,
          jobsLost: 0,
          duplicates: 0,
        };
        context.task.meta.chaos = meta;
        const record = await chaosCase.run(rig());
        if (!record) return;
        const report = checkInvariants(record);
        meta.jobsLost = report.jobsLost;
        meta.duplicates = report.duplicates;
        expect(report.violations, `invariants after "${chaosCase.name}"`).toEqual([]);
      },
      chaosCase.timeoutMs ?? 60_000,
    );
  }
}
