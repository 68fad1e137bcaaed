import { z } from 'zod';

const UserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'a user id starts with U or W');
const ChannelId = z.string().regex(/^[CG][A-Z0-9]+$/, 'a channel id starts with C or G');

export const SimUser = z.object({
  id: UserId,
  name: z.string().min(1),
  realName: z.string().optional(),
  tz: z.string().default('UTC'),
});

export const SimUserGroup = z.object({
  id: z.string().regex(/^S[A-Z0-9]+$/, 'a user group id starts with S'),
  handle: z.string().min(1),
  name: z.string().optional(),
  users: z.array(UserId).default([]),
});

export const SimChannelConfig = z.object({
  id: ChannelId,
  name: z.string().min(1),
  /** Slack refuses a bot's post to a channel it was not invited to (`not_in_channel`). */
  botMember: z.boolean().default(true),
  /** Users in the channel; when omitted, every user of the workspace is. */
  members: z.array(UserId).optional(),
});

/** Who and what the simulated workspace holds: its team, the app's bot, users, groups, channels. */
export const SlackWorkspace = z.object({
  team: z
    .object({
      id: z
        .string()
        .regex(/^T[A-Z0-9]+$/)
        .default('T0PITSTOP'),
      domain: z.string().default('pitstop-sim'),
      name: z.string().default('Pitstop Simulator'),
    })
    .prefault({}),
  app: z
    .object({
      id: z
        .string()
        .regex(/^A[A-Z0-9]+$/)
        .default('A0PITSTOP'),
      botId: z
        .string()
        .regex(/^B[A-Z0-9]+$/)
        .default('B0PITSTOP'),
      botUserId: UserId.default('U0PITSTOP'),
      botName: z.string().default('pitstop'),
    })
    .prefault({}),
  botToken: z.string().startsWith('xoxb-').default('xoxb-0000-pitstop-simulator'),
  appToken: z.string().startsWith('xapp-').default('xapp-1-A0PITSTOP-0000-pitstop-simulator'),
  signingSecret: z.string().min(1).default('pitstop-simulator-signing-secret'),
  users: z.array(SimUser).default([]),
  usergroups: z.array(SimUserGroup).default([]),
  channels: z.array(SimChannelConfig).default([{ id: 'C0PITSTOP', name: 'pitstop', botMember: true }]),
});
export type SlackWorkspace = z.infer<typeof SlackWorkspace>;
export type SimUser = z.infer<typeof SimUser>;
