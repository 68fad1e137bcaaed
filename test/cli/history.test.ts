import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { Phase } from '../../src/domain/job.js';
import { JobStore } from '../../src/store/job-store.js';
import { orchestratorOver, tempStateFile } from '../support/orchestrator.js';
import { EVENTS, type Pipeline, START, startPipeline } from '../support/pipeline.js';

/** A job that went the whole way spent time in every phase but `done`. */
const EVERY_PHASE = Phase.options.filter((phase) => phase !== 'done');

const bin = new URL('../../bin/pitstop.js', import.meta.url).pathname;
let stateFile: string;
let pipeline: Pipeline;

const pitstop = (args: string[]) =>
  execa('node', [bin, 'history', ...args], {
    reject: false,
    stripFinalNewline: false,
    env: { STATE_FILE: stateFile, LOG_LEVEL: 'silent' },
  });

/** An approver name that needs quoting in CSV. */
const QUOTED_APPROVER = 'cli:ops, "night" shift';
const DAY = 86_400_000;

/**
 * The audit log of a real run: gpu-1 returned, gpu-3 kept out (OCI's maintenance FAILED), then
 * three days later gpu-2 denied; gpu-4 still awaits approval.
 */
beforeAll(async () => {
  pipeline = await startPipeline();
  stateFile = tempStateFile();
  const rig = await orchestratorOver(pipeline, stateFile);
  await rig.orchestrator.sweep();
  await rig.orchestrator.approve('gpu-1', 'U123', 'slack');
  await rig.orchestrator.approve('gpu-3', QUOTED_APPROVER, 'cli');
  await rig.orchestrator.idle();
  pipeline.clock.advance(3 * DAY);
  await rig.orchestrator.deny('gpu-2', 'U9', 'slack', 'training run until Friday');
  await rig.close();
});
afterAll(() => pipeline.stop());

const json = async (args: string[]) =>
  JSON.parse((await pitstop([...args, '--format', 'json'])).stdout) as Row[];

type Row = {
  eventId: string;
  node: string;
  outcome: string;
  phase: string;
  decision?: string;
  approver?: string;
  fault?: string;
  phases: { phase: string; start: string; end?: string }[];
};

// Each case starts the CLI (tsx) as a process: seconds apiece on a busy machine.
describe('pitstop history', { timeout: 120_000 }, () => {
  it('gives one JSON row per job: finished ones with every phase, running ones marked as such', async () => {
    const { stdout, exitCode, stderr } = await pitstop(['--format', 'json']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    const byNode = Object.fromEntries(rows.map((row) => [row.node, row]));
    expect(Object.keys(byNode).sort()).toEqual(['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4']);

    expect(byNode['gpu-1']).toMatchObject({
      eventId: EVENTS.flex.id,
      outcome: 'returned',
      decision: 'approved',
      approver: 'U123',
      fault: 'HPCRDMA-0002-02 RDMA link flapping',
    });
    expect(byNode['gpu-1']!.phases.map((p) => p.phase)).toEqual(EVERY_PHASE);
    expect(byNode['gpu-1']!.phases.every((p) => p.end && p.start <= p.end)).toBe(true);
    // A FAILED maintenance goes from maintenance to triage: no health phase.
    expect(byNode['gpu-3']).toMatchObject({ outcome: 'kept_out', approver: QUOTED_APPROVER });
    expect(byNode['gpu-3']!.phases.map((p) => p.phase)).not.toContain('health');
    expect(byNode['gpu-2']).toMatchObject({ outcome: 'denied', decision: 'denied', approver: 'U9' });
    expect(byNode['gpu-4']).toMatchObject({ outcome: 'running', phase: 'awaiting_approval' });
    expect(byNode['gpu-4']!.phases).toEqual([{ phase: 'awaiting_approval', start: START.toISOString() }]);
  });

  it('writes RFC 4180 CSV: a header, CRLF line ends, fields with commas or quotes quoted', async () => {
    const { stdout, exitCode } = await pitstop(['--format', 'csv']);
    expect(exitCode).toBe(0);
    expect(stdout.endsWith('\r\n')).toBe(true);
    const lines = stdout.slice(0, -2).split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      'job_id,event_id,node,fault,decision,approver,outcome,phase,created,finished,ticket,' +
        'awaiting_approval_start,awaiting_approval_end,draining_start,draining_end,scheduling_start,scheduling_end,' +
        'maintenance_start,maintenance_end,health_start,health_end,triage_start,triage_end,bookkeeping_start,bookkeeping_end',
    );
    const gpu3 = lines.find((line) => line.includes(',gpu-3,'))!;
    expect(gpu3).toContain(',approved,"cli:ops, ""night"" shift",kept_out,done,');
    expect(parseCsv(stdout).every((record) => record.length === 25)).toBe(true);
  });

  it('filters by node and by --since (anything done at or after it)', async () => {
    const node = await json(['--node', 'gpu-3']);
    expect(node.map((r) => r.node)).toEqual(['gpu-3']);

    const since = new Date(START.getTime() + 2 * DAY).toISOString();
    const later = await json(['--since', since]);
    expect(later.map((r) => r.node)).toEqual(['gpu-2']);
    const byDate = await json(['--since', '2026-11-25']);
    expect(byDate).toHaveLength(4);
  });

  it('prints a table for people by default, each job with how long its phases took', async () => {
    const { stdout, exitCode } = await pitstop(['--node', 'gpu-4']);
    expect(exitCode).toBe(0);
    const [header, row, phases, end] = stdout.split('\n');
    expect(end).toBe('');
    expect(header).toMatch(/^CREATED\s+NODE\s+OUTCOME\s+DECISION\s+FAULT\s+TICKET\s+EVENT$/);
    expect(row).toContain('running (awaiting_approval)');
    expect(row!.endsWith(EVENTS.fixed.id)).toBe(true);
    expect(phases).toBe(`    awaiting_approval since ${START.toISOString()}`);
    const all = (await pitstop([])).stdout;
    expect(all).toMatch(/gpu-1\s+returned\s+approved by U123/);
    expect(all).toMatch(/awaiting_approval \S+, draining \S+, scheduling/);
  });

  it('refuses a --since or --format it cannot read, saying what it expects', async () => {
    const since = await pitstop(['--since', 'last tuesday']);
    expect(since.exitCode).toBe(1);
    expect(since.stderr).toBe(
      'pitstop: --since "last tuesday": expected an ISO date or date and time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z\n',
    );
    const format = await pitstop(['--format', 'xml']);
    expect(format.exitCode).toBe(1);
    expect(format.stderr).toBe('pitstop: --format "xml": expected table, csv or json\n');
  });

  it('reads beside a running serve: it takes no lock', async () => {
    const held = await JobStore.open({
      stateFile,
      auditFile: join(stateFile, '..', 'audit.jsonl'),
      clock: systemClock,
    });
    try {
      expect(await json([])).toHaveLength(4);
    } finally {
      await held.close();
    }
  });
});

/** RFC 4180 records, as a spreadsheet would read them. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}
