import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { newJob } from '../../src/domain/job.js';
import { ManualClock } from '../../src/sim/clock.js';
import { authenticate } from '../../src/slack/auth.js';
import { ticketPayload, ticketRefOf } from '../../src/webhooks/payloads.js';
import { CHANNEL, startSlack } from '../slack/support.js';
import { sampleEvent } from '../support/events.js';

describe('ticketRefOf', () => {
  it('reads the ticket from the answers of common ticket systems', () => {
    // Jira: POST /rest/api/2/issue
    expect(
      ticketRefOf({ id: '10002', key: 'OPS-24', self: 'https://jira.example/rest/api/2/issue/10002' }),
    ).toEqual({
      id: 'OPS-24',
    });
    // GitHub: POST /repos/{owner}/{repo}/issues
    expect(
      ticketRefOf({
        id: 1,
        number: 1347,
        url: 'https://api.github.com/repos/o/r/issues/1347',
        html_url: 'https://github.com/o/r/issues/1347',
      }),
    ).toEqual({ id: '1347', url: 'https://github.com/o/r/issues/1347' });
    // GitLab: POST /projects/:id/issues
    expect(ticketRefOf({ id: 76, iid: 6, web_url: 'https://gitlab.example/g/p/-/issues/6' })).toEqual({
      id: '76',
      url: 'https://gitlab.example/g/p/-/issues/6',
    });
    // ServiceNow: POST /api/now/table/incident
    expect(ticketRefOf({ result: { sys_id: 'abc', number: 'INC0010002' } })).toEqual({ id: 'INC0010002' });
  });

  it('takes an answer with nothing readable as a ticket with no name, and ignores fields of the wrong kind', () => {
    expect(ticketRefOf(undefined)).toEqual({});
    expect(ticketRefOf('created')).toEqual({});
    expect(ticketRefOf({ ok: true, url: 'not a url', id: { nested: 1 } })).toEqual({});
  });
});

describe('ticketPayload', () => {
  it("links the event's thread in the workspace auth.test names, or gives channel and ts alone", async () => {
    const sim = await startSlack(new ManualClock());
    try {
      const identity = await authenticate(
        new WebClient(sim.workspace.botToken, { slackApiUrl: sim.apiUrl }),
        sim.apiUrl,
      );
      expect(identity.url).toMatch(/^https:\/\/[a-z0-9-]+\.slack\.com\/$/);
      const job = {
        ...newJob(sampleEvent(), new Date('2026-12-01T09:00:00Z'), 'gpu-1'),
        node: 'gpu-1',
        slack: { channel: CHANNEL, ts: '1764579600.000100' },
      };
      expect(ticketPayload(job, identity.url).thread).toEqual({
        channel: CHANNEL,
        ts: '1764579600.000100',
        permalink: `${identity.url}archives/${CHANNEL}/p1764579600000100`,
      });
      expect(ticketPayload(job).thread).toEqual({ channel: CHANNEL, ts: '1764579600.000100' });
    } finally {
      await sim.stop();
    }
  });
});
