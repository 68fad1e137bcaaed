import { describe, expect, it } from 'vitest';
import { XID_TABLE } from '../../../src/health/parsers/xid-table.js';
import { fixture, verdictOf } from './helpers.js';

const xid = (n: number, message: string, time = '2026-11-25T10:00:00,000000+00:00') =>
  `${time} NVRM: Xid (PCI:0000:3b:00): ${n}, pid=123, name=python, ${message}`;

describe('dmesg Xids', () => {
  it.each([
    [79, 'GPU has fallen off the bus.', 'reboot'],
    [64, 'Row Remapper Error: failed to remap', 'terminate'],
    [74, 'NVLink: fatal error detected on link 3', 'reboot'],
    [95, 'Uncontained: FBHUB. RST: Yes, D-RST: No', 'reboot'],
    [120, 'GSP task exception', 'reboot'],
  ])('fails critical Xid %i with action %s', (n, message, action) => {
    const verdict = verdictOf('dmesg', xid(n, message));
    expect(verdict.status).toBe('FAIL');
    expect(verdict.action).toBe(action);
    expect(verdict.checks[0]).toMatchObject({ check: 'xid', gpu: 'PCI:0000:3b:00' });
  });

  it('is ERROR for an Xid the table does not know: someone must look', () => {
    const verdict = verdictOf('dmesg', xid(999, 'something new'));
    expect(verdict.status).toBe('ERROR');
    expect(verdict.reasons[0]).toMatch(/Xid 999 is not in Pitstop's Xid table/);
  });

  it('holds every issue-listed critical Xid as a failure', () => {
    for (const n of [48, 63, 64, 74, 79, 92, 94, 95, 119, 120])
      expect(XID_TABLE[n]?.severity, `Xid ${n}`).toBe('fail');
    for (const n of [13, 31, 43]) expect(XID_TABLE[n]?.severity, `Xid ${n}`).toBe('warn');
  });

  it('ignores Xids from before the maintenance ended, whatever the zone they are written in', () => {
    const text = [
      xid(79, 'fallen off the bus', '2026-11-25T11:59:00,000000+01:00'),
      'kernel: boot line',
    ].join('\n');
    expect(verdictOf('dmesg', text, { since: new Date('2026-11-25T11:00:00Z') }).status).toBe('PASS');
    expect(verdictOf('dmesg', text, { since: new Date('2026-11-25T10:30:00Z') }).status).toBe('FAIL');
  });

  it('keeps Xids it cannot place in time (dmesg -T is local time)', () => {
    const text = fixture('dmesg/xid119_gsp-rpc-timeout_h100-xe9680.txt');
    expect(verdictOf('dmesg', text, { since: new Date('2030-01-01T00:00:00Z') }).status).toBe('FAIL');
  });

  it('fails a GPU the driver could not initialise, even without an Xid', () => {
    const verdict = verdictOf('dmesg', 'NVRM: GPU 0000:3b:00.0: RmInitAdapter failed! (0x62:0x40:2477)');
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reasons[0]).toMatch(/^kernel-log: the driver could not initialise a GPU/);
  });

  it.each([
    ['', 'ERROR'],
    ['dmesg: read kernel buffer failed: Operation not permitted', 'ERROR'],
    ['-- No entries --', 'PASS'],
  ])('judges %j as %s', (text, status) => {
    expect(verdictOf('dmesg', text).status).toBe(status);
  });
});
