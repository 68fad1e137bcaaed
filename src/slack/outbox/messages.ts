import { z } from 'zod';
import { NodeStatus, SlurmJob } from '../../domain/node.js';

/** What the event message shows about the node, read once at announcement (blocks/event-message.ts). */
export const EventFacts = z.object({
  shape: z.string().optional(),
  node: NodeStatus.pick({ gpus: true, gpuType: true, partitions: true }).optional(),
  slurmJobs: z.array(SlurmJob).optional(),
});
export type EventFacts = z.infer<typeof EventFacts>;

/** Blocks and views are built by src/slack/blocks and checked by Slack; the outbox only carries them. */
const Blocks = z.array(z.unknown());
const View = z
  .unknown()
  .refine((view) => typeof view === 'object' && view !== null, 'expected a view object');

/**
 * One thing to send. Messages of a job address the job, not a ts: the announcement's ts is learnt
 * when it is sent, and a reply or update resolves it at send time.
 */
export const OutboxMessage = z.discriminatedUnion('kind', [
  /** The event message (chat.postMessage); `facts` stay with the job for every later update. */
  z.object({
    kind: z.literal('announce'),
    jobId: z.string().min(1),
    channel: z.string().min(1),
    text: z.string(),
    blocks: Blocks,
    facts: EventFacts,
  }),
  /** A reply in the job's thread (chat.postMessage with thread_ts). */
  z.object({
    kind: z.literal('reply'),
    jobId: z.string().min(1),
    text: z.string(),
    blocks: Blocks.optional(),
  }),
  /** The job's message in place (chat.update); only the newest pending one is sent. */
  z.object({ kind: z.literal('update'), jobId: z.string().min(1), text: z.string(), blocks: Blocks }),
  /** A message of no job (the digest). */
  z.object({ kind: z.literal('post'), channel: z.string().min(1), text: z.string(), blocks: Blocks }),
  z.object({
    kind: z.literal('ephemeral'),
    channel: z.string().min(1),
    user: z.string().min(1),
    text: z.string(),
    blocks: Blocks.optional(),
    threadTs: z.string().optional(),
  }),
  /** A user's Home tab (views.publish); only the newest pending one is sent. */
  z.object({ kind: z.literal('home'), user: z.string().min(1), view: View }),
]);
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const OutboxEntry = z.object({
  /** Increasing: the order messages were queued, which replies of one thread keep. */
  seq: z.number().int().nonnegative(),
  at: z.string(),
  message: OutboxMessage,
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** Where a job's event message was posted, with the facts it shows. */
export const PostedMessage = z.object({
  jobId: z.string().min(1),
  channel: z.string().min(1),
  ts: z.string().min(1),
  facts: EventFacts,
});
export type PostedMessage = z.infer<typeof PostedMessage>;

/** One line of the outbox's journal. */
export const JournalRecord = z.union([
  z.object({ add: OutboxEntry }),
  z.object({ done: z.number().int().nonnegative() }),
  z.object({ posted: PostedMessage }),
]);
export type JournalRecord = z.infer<typeof JournalRecord>;
