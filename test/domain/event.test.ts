import { describe, expect, it } from 'vitest';
import { faultLabel, readFaults, toMaintenanceEvent } from '../../src/domain/event.js';
import { ociEvent } from '../support/events.js';

describe('toMaintenanceEvent', () => {
  it('reads the faults out of the faultDetails JSON string', () => {
    const event = toMaintenanceEvent(ociEvent());
    expect(event.faults).toEqual([
      { faultId: 'HPCRDMA-0002-02', summary: 'RDMA link flapping', component: 'NIC' },
    ]);
    expect(faultLabel(event)).toBe('HPCRDMA-0002-02');
  });

  it('accepts dates as strings or Date objects and keeps them as ISO strings', () => {
    const event = toMaintenanceEvent(ociEvent({ timeWindowStart: new Date('2026-12-01T10:00:00+02:00') }));
    expect(event.timeWindowStart).toBe('2026-12-01T08:00:00.000Z');
    expect(event.timeCreated).toBe('2026-11-20T08:00:00.000Z');
  });

  it('keeps unreadable fault details verbatim instead of dropping them', () => {
    const event = toMaintenanceEvent(ociEvent({ additionalDetails: { faultDetails: '{not json' } }));
    expect(event.faults).toEqual([]);
    expect(event.unreadableFaultDetails).toBe('{not json');
    expect(faultLabel(event)).toBe('HARDWARE_REPLACEMENT');
  });

  it('keeps enum values newer than this code (the SDK would say UNKNOWN_VALUE)', () => {
    expect(toMaintenanceEvent(ociEvent({ maintenanceReason: 'QUANTUM_UPGRADE' })).reason).toBe(
      'QUANTUM_UPGRADE',
    );
  });

  it('rejects an event without a lifecycle state OCI defines, naming the field', () => {
    expect(() => toMaintenanceEvent(ociEvent({ lifecycleState: 'COMPLETED' }))).toThrow(/lifecycleState/);
    expect(() => toMaintenanceEvent(ociEvent({ timeCreated: 'yesterday' }))).toThrow(/not a date/);
  });
});

describe('readFaults', () => {
  it('merges faultIds with faultDetails without duplicates', () => {
    const { faults } = readFaults({
      faultIds: 'HPCGPU-0001-01, HPCRDMA-0002-02',
      faultDetails: JSON.stringify({ faultId: 'HPCRDMA-0002-02' }),
    });
    expect(faults.map((f) => f.faultId)).toEqual(['HPCRDMA-0002-02', 'HPCGPU-0001-01']);
  });

  it('ignores entries that carry no fault id', () => {
    expect(readFaults({ faultDetails: '[{"summary":"x"}, 42, "HPCGPU-0003-01"]' }).faults).toEqual([
      { faultId: 'HPCGPU-0003-01' },
    ]);
  });
});
