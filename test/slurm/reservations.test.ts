import { describe, expect, it } from 'vitest';
import { expandHostlist } from '../../src/slurm/parsers/hostlist.js';
import { parseScontrolReservations } from '../../src/slurm/parsers/scontrol-reservation.js';

describe('hostlists', () => {
  it.each([
    ['gpu-1', ['gpu-1']],
    ['gpu-[1-3,5]', ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-5']],
    ['gpu-[1-2],cpu-7', ['gpu-1', 'gpu-2', 'cpu-7']],
    ['node[08-10]', ['node08', 'node09', 'node10']],
    ['rack[1-2]-gpu[1,3]', ['rack1-gpu1', 'rack1-gpu3', 'rack2-gpu1', 'rack2-gpu3']],
  ])('expands %s', (text, nodes) => {
    expect(expandHostlist(text)).toEqual(nodes);
  });

  it.each([
    ['gpu-[1-3', 'unbalanced brackets'],
    ['gpu-1-3]', 'unbalanced brackets'],
    ['gpu-[a-c]', '"a-c" is not a number or a range of numbers'],
  ])('refuses %s', (text, message) => {
    expect(() => expandHostlist(text)).toThrow(message);
  });
});

describe('scontrol show reservation -o', () => {
  it('reads no reservations, and one without nodes (licenses only)', () => {
    expect(parseScontrolReservations('No reservations in the system\n')).toEqual([]);
    const [licenses] = parseScontrolReservations(
      'ReservationName=lic StartTime=2026-11-30T16:00:00 EndTime=2026-11-30T17:00:00 Duration=01:00:00 Nodes=(null) NodeCnt=0 CoreCnt=0 Features=(null) PartitionName=(null) Flags=ANY_NODES TRES=(null) Users=root Groups=(null) Accounts=(null) Licenses=matlab:1 State=INACTIVE BurstBuffer=(null) Watts=n/a MaxStartDelay=(null)',
    );
    expect(licenses).toMatchObject({ name: 'lic', nodes: [], flags: ['ANY_NODES'] });
  });

  it('names the record it cannot read', () => {
    expect(() =>
      parseScontrolReservations(
        'ReservationName=broken StartTime=soon EndTime=2026-11-30T17:00:00 Nodes=gpu-1',
      ),
    ).toThrow(/cannot read scontrol's reservation record "ReservationName=broken/);
  });
});
