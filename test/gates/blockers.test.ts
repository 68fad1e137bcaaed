import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { blockFile } from '../../src/gates/blockers/block-file.js';
import { prometheusQuery } from '../../src/gates/blockers/prometheus.js';
import { maintenanceEnd, slurmReservation } from '../../src/gates/blockers/slurm-reservation.js';
import { Gates } from '../../src/gates/gates.js';
import { isoDurationMs } from '../../src/gates/iso-duration.js';
import { sampleEvent } from '../support/events.js';
import { freePort } from '../support/free-port.js';
import { type PrometheusStandIn, promError, series, startPrometheus, vector } from '../support/prometheus.js';

const NOW = new Date('2026-11-30T16:00:00Z');
const job = (estimatedDuration?: string) =>
  newJob(sampleEvent(estimatedDuration ? { estimatedDuration } : {}), NOW, 'gpu-1');

describe('BLOCK_FILE', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'pitstop-block-'));

  it('holds while the file exists, naming its first line; an absent file holds nothing', async () => {
    const path = join(dir(), 'freeze');
    const blocker = blockFile(path);
    expect(await blocker.holds(job(), NOW)).toBeUndefined();
    writeFileSync(path, 'launch week: no maintenance\nsecond line\n');
    expect(await blocker.holds(job(), NOW)).toBe(
      `frozen by ${path}: launch week: no maintenance (remove the file to let new drains start)`,
    );
  });

  it('says "no reason given" for an empty file, and holds when the file cannot be read', async () => {
    const path = join(dir(), 'freeze');
    writeFileSync(path, '');
    expect(await blockFile(path).holds(job(), NOW)).toContain(': no reason given');
    // A directory where the file should be: it cannot be read, so it holds.
    expect(await blockFile(dir()).holds(job(), NOW)).toMatch(/cannot read the freeze file .*EISDIR/);
  });
});

describe('Slurm reservation', () => {
  const reservation = (startInMin: number, nodes = ['gpu-1', 'gpu-2']) => ({
    name: 'train_run',
    start: new Date(NOW.getTime() + startInMin * 60_000).toISOString(),
    end: new Date(NOW.getTime() + (startInMin + 120) * 60_000).toISOString(),
    nodes,
    state: 'INACTIVE',
    users: 'alice',
    flags: [],
  });
  const LEAD = 5 * 60_000;

  it('reads the maintenance end from estimatedDuration (ISO 8601), or assumes 2h without one', () => {
    expect(isoDurationMs('PT1H30M')).toBe(90 * 60_000);
    expect(isoDurationMs('P1DT2H')).toBe(26 * 3_600_000);
    expect(isoDurationMs('1 hour')).toBeUndefined();
    expect(isoDurationMs('PT')).toBeUndefined();
    expect(maintenanceEnd(job('PT1H'), NOW, LEAD).end).toEqual(new Date('2026-11-30T17:05:00Z'));
    expect(maintenanceEnd(job(), NOW, LEAD)).toEqual({
      end: new Date('2026-11-30T18:05:00Z'),
      assumed: '2h, as OCI gives no estimatedDuration',
    });
  });

  it('holds a node reserved before its maintenance would end, not one reserved after, nor another node', async () => {
    const soon = slurmReservation({ reservations: async () => [reservation(60)] }, LEAD);
    expect(await soon.holds(job('PT1H'), NOW)).toMatch(
      /^Slurm reservation train_run \(.* users alice\) holds gpu-1, and the maintenance would last until about 2026-11-30T17:05:00.000Z \(lead time plus its estimatedDuration PT1H\)/,
    );
    const later = slurmReservation({ reservations: async () => [reservation(66)] }, LEAD);
    expect(await later.holds(job('PT1H'), NOW)).toBeUndefined();
    const elsewhere = slurmReservation({ reservations: async () => [reservation(0, ['gpu-2'])] }, LEAD);
    expect(await elsewhere.holds(job('PT1H'), NOW)).toBeUndefined();
  });

  it('reads the reservations once per look, whatever the number of jobs asked about', async () => {
    let reads = 0;
    const reserved = slurmReservation(
      {
        reservations: async () => {
          reads++;
          return [reservation(60, ['gpu-2'])];
        },
      },
      LEAD,
    );
    const look = new Gates([], [reserved]).look(NOW);
    const onNode = (node: string) => newJob(sampleEvent({ estimatedDuration: 'PT1H' }), NOW, node);
    expect(await look(onNode('gpu-1'))).toBeUndefined();
    expect(await look(onNode('gpu-2'))).toMatchObject({ blocker: 'Slurm reservation' });
    expect(await look(onNode('gpu-3'))).toBeUndefined();
    expect(reads).toBe(1);
    await new Gates([], [reserved]).look(NOW)(onNode('gpu-2'));
    expect(reads).toBe(2);
  });

  it('holds when Slurm cannot say', async () => {
    const blind = slurmReservation(
      {
        reservations: async () => {
          throw new Error('could not reach slurmctld');
        },
      },
      LEAD,
    );
    expect(await blind.holds(job(), NOW)).toMatch(
      /cannot read Slurm's reservations \(could not reach slurmctld\)/,
    );
  });
});

describe('Prometheus (against a stand-in speaking /api/v1/query)', () => {
  let prometheus: PrometheusStandIn;
  const QUERY = 'ALERTS{alertstate="firing",severity="critical"}';
  beforeEach(async () => {
    prometheus = await startPrometheus();
  });
  afterEach(() => prometheus.stop());

  it('holds nothing on an empty result, and names the first series when there is one', async () => {
    const blocker = prometheusQuery(prometheus.url, QUERY);
    expect(await blocker.holds(job(), NOW)).toBeUndefined();
    expect(prometheus.queries).toEqual([QUERY]);
    prometheus.answer(
      200,
      vector([
        series({ __name__: 'ALERTS', alertname: 'GpuXidErrors', alertstate: 'firing', severity: 'critical' }),
        series({ __name__: 'ALERTS', alertname: 'NodeDown', alertstate: 'firing', severity: 'critical' }),
      ]),
    );
    expect(await blocker.holds(job(), NOW)).toBe(
      `the Prometheus query \`${QUERY}\` returns ALERTS{alertname="GpuXidErrors", alertstate="firing", severity="critical"} and 1 more; new drains wait until it returns nothing`,
    );
  });

  it('takes the base URL with a trailing slash', async () => {
    const blocker = prometheusQuery(`${prometheus.url}/`, 'up == 0');
    expect(await blocker.holds(job(), NOW)).toBeUndefined();
    expect(prometheus.queries).toEqual(['up == 0']);
  });

  it.each([
    [
      400,
      promError('bad_data', '1:7: parse error: unexpected <EOF>'),
      /Prometheus answered 400 bad_data: 1:7: parse error/,
    ],
    [503, promError('unavailable', 'TSDB not ready'), /Prometheus answered 503 unavailable: TSDB not ready/],
    [502, '<html>Bad Gateway</html>', /HTTP 502, not JSON: <html>Bad Gateway/],
    [200, { status: 'success' }, /HTTP 200, not a Prometheus query answer/],
    [
      200,
      { status: 'success', data: { resultType: 'scalar', result: [1764518400, '3'] } },
      /gives a scalar, not series/,
    ],
  ])('holds (fail closed) on HTTP %i %j', async (status, body, message) => {
    prometheus.answer(status, body);
    const hold = await prometheusQuery(prometheus.url, QUERY).holds(job(), NOW);
    expect(hold).toMatch(/^cannot tell whether the Prometheus query .* holds \(/);
    expect(hold).toMatch(message);
  });

  it('holds when Prometheus is unreachable', async () => {
    const hold = await prometheusQuery(`http://127.0.0.1:${await freePort()}`, QUERY).holds(job(), NOW);
    expect(hold).toMatch(
      /\(http:\/\/127\.0\.0\.1:\d+ unreachable: .*ECONNREFUSED.*\); new drains wait until it answers$/,
    );
  });
});
