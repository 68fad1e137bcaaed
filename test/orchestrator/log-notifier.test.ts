import { describe, expect, it } from 'vitest';
import { newJob, transition } from '../../src/domain/job.js';
import { LogNotifier } from '../../src/notify/log-notifier.js';
import { sampleEvent } from '../support/events.js';
import { capturingLogger } from '../support/orchestrator.js';

describe('log notifier (headless mode)', () => {
  it('writes one structured line per announcement, phase change and progress line', async () => {
    const { log, lines } = capturingLogger();
    const notifier = new LogNotifier(log);
    const job = newJob(sampleEvent(), new Date('2026-11-25T18:00:00Z'), 'gpu-7');
    const approved = transition(
      job,
      { type: 'approve', by: 'U1', via: 'cli' },
      new Date('2026-11-25T18:01:00Z'),
    );

    await notifier.announce(job);
    await notifier.phaseChanged(approved, job);
    await notifier.progress(approved, 'gpu-7: draining');

    expect(lines).toMatchObject([
      { notify: 'announce', jobId: job.id, eventId: job.eventId, node: 'gpu-7', phase: 'awaiting_approval' },
      {
        notify: 'phase',
        from: 'awaiting_approval',
        phase: 'draining',
        msg: 'awaiting_approval → draining: approved by U1',
      },
      { notify: 'progress', node: 'gpu-7', phase: 'draining', msg: 'gpu-7: draining' },
    ]);
    expect(String(lines[0]?.msg)).toContain(job.eventId);
  });

  it('announces a job posted late (after a crash) as already decided, not as a question', async () => {
    const { log, lines } = capturingLogger();
    const job = newJob(sampleEvent(), new Date('2026-11-25T18:00:00Z'), 'gpu-7');
    const approved = transition(job, { type: 'approve', by: 'AUTO_APPROVE', via: 'policy' }, new Date());
    await new LogNotifier(log).announce(approved);
    expect(String(lines[0]?.msg)).toMatch(/on gpu-7: already draining \(approved by AUTO_APPROVE\)$/);
  });

  it('asks the hard due date question once, at warn, naming the Slurm jobs and both commands', async () => {
    const { log, lines } = capturingLogger();
    const job = transition(
      newJob(sampleEvent(), new Date('2026-11-25T18:00:00Z'), 'gpu-7'),
      { type: 'approve', by: 'U1', via: 'cli' },
      new Date(),
    );
    const slurmJob = {
      id: '4242',
      user: 'alice',
      name: 'llm',
      state: 'RUNNING',
      elapsed: '1:00',
      timeLimit: '2:00:00',
    };
    const warned = transition(job, { type: 'due_warned', slurmJobs: [slurmJob] }, new Date());
    await new LogNotifier(log).phaseChanged(warned, job);
    expect(lines).toMatchObject([
      { level: 40, notify: 'due_warning', slurmJobs: [slurmJob], phase: 'draining' },
    ]);
    expect(String(lines[0]?.msg)).toMatch(
      /still waits on Slurm jobs 4242 \(alice, llm\): pitstop proceed gpu-7 .* or pitstop leave-to-oci gpu-7/,
    );
  });
});
