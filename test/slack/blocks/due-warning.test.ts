import { describe, expect, it } from 'vitest';
import type { JobAction } from '../../../src/domain/job.js';
import type { SlurmJob } from '../../../src/domain/node.js';
import { dueWarningMessage } from '../../../src/slack/blocks/due-warning.js';
import { threadLine } from '../../../src/slack/blocks/thread-line.js';
import { allTexts, blockKitViolations } from './block-kit-limits.js';
import { APPROVE, applied, awaiting } from './jobs.js';

const slurmJob = (id: number, user = 'alice'): SlurmJob => ({
  id: String(id),
  user,
  name: `train_${id}`,
  state: 'RUNNING',
  elapsed: '3:00:00',
  timeLimit: '2-00:00:00',
});

const warned = (slurmJobs: SlurmJob[]) => applied(awaiting(), APPROVE, { type: 'due_warned', slurmJobs });

type Button = { action_id: string; value: string; text: { text: string } };

describe('the hard due date in the thread', () => {
  it('names each Slurm job still running (id, name, owner), what each choice does, and offers both buttons', () => {
    const job = warned([slurmJob(4242, 'alice'), slurmJob(4243, 'bob')]);
    const { text, blocks } = dueWarningMessage(job);
    const shown = allTexts(blocks).join('\n');
    expect(shown).toContain('OCI maintains gpu-1 on its own by 2026-12-08 10:00 UTC');
    expect(shown).toContain('• `4242` train_4242 — owner *alice* (3:00:00 of 2-00:00:00)');
    expect(shown).toContain('owner *bob*');
    expect(shown).toContain('`scontrol requeue`');
    expect(shown).toContain("not Pitstop's");
    expect(text).toMatch(/proceed now, or let OCI act at its time/);
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Button[] };
    expect(actions.elements.map((b) => [b.action_id, b.value, b.text.text])).toEqual([
      ['pitstop_due_proceed', job.id, 'Proceed now'],
      ['pitstop_due_leave_to_oci', job.id, 'Let OCI act at its time'],
    ]);
    expect(blockKitViolations({ text, blocks }, 'message')).toEqual([]);
  });

  it('stays within Block Kit with a node full of Slurm jobs, counting those it cannot show', () => {
    const job = warned(Array.from({ length: 400 }, (_, i) => slurmJob(i, `user${i}`)));
    const message = dueWarningMessage(job);
    expect(blockKitViolations({ ...message }, 'message')).toEqual([]);
    expect(allTexts(message.blocks).join('\n')).toMatch(/… and \d+ more Slurm jobs/);
  });

  const line = (...actions: JobAction[]) => {
    const before = applied(awaiting(), APPROVE, ...actions.slice(0, -1));
    return threadLine(applied(before, actions.at(-1)!), before);
  };
  const WARN: JobAction = { type: 'due_warned', slurmJobs: [slurmJob(1)] };

  it('says the warning, the decision with who took it, and how the drain ended', () => {
    expect(line(WARN)).toBe(
      '⏰ The hard due date (2026-12-08 10:00 UTC) is near and the drain of gpu-1 still waits on 1 Slurm job: proceed now, or let OCI act at its time.',
    );
    const decide: JobAction = { type: 'due_decided', choice: 'proceed', by: 'U0ALICE', via: 'slack' };
    expect(line(WARN, decide)).toBe(
      '⏭️ <@U0ALICE> chose to proceed now: Pitstop stops waiting for the Slurm jobs on gpu-1, which stays drained.',
    );
    expect(line(WARN, decide, { type: 'drain_cut_short', dueDateReached: false })).toBe(
      'gpu-1 stays drained with Slurm jobs still running: <@U0ALICE> chose to proceed now.',
    );
    expect(line(WARN, { type: 'drain_cut_short', dueDateReached: true })).toBe(
      '⏰ The hard due date (2026-12-08 10:00 UTC) came with no decision: gpu-1 stays drained and is left to OCI; Pitstop follows the event from here.',
    );
  });
});
