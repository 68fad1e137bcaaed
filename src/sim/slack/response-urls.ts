import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../ports.js';
import { checkMessageBlocks } from './block-kit.js';
import type { Conversations } from './conversations.js';
import { SlackApiError } from './errors.js';

/** "You can use a response_url five times within 30 minutes" (Slack's interactivity guide). */
const USES = 5;
const TTL_MS = 30 * 60_000;
export const RESPONSE_PATH = '/_sim/response/';

interface Origin {
  channel: string;
  user: string;
  /** The message whose button was clicked, which replace_original and delete_original act on. */
  messageTs?: string;
}

const Response = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.boolean().optional(),
  delete_original: z.boolean().optional(),
  thread_ts: z.string().optional(),
});

/** The response_url of an interaction or slash command: where the app answers the user. */
export class ResponseUrls {
  private readonly urls = new Map<string, Origin & { uses: number; expires: number }>();

  constructor(
    private readonly conversations: Conversations,
    private readonly clock: Clock,
  ) {}

  create(base: string, origin: Origin): string {
    const id = randomUUID();
    this.urls.set(id, { ...origin, uses: 0, expires: this.clock.now().getTime() + TTL_MS });
    return `${base}${RESPONSE_PATH}${id}`;
  }

  /** Carries out a POST to a response_url; throws `expired_url` or the message's validation error. */
  respond(id: string, body: unknown): void {
    const origin = this.urls.get(id);
    if (!origin || origin.uses >= USES || this.clock.now().getTime() > origin.expires) {
      throw new SlackApiError('expired_url');
    }
    const parsed = Response.safeParse(body);
    if (!parsed.success) throw new SlackApiError('invalid_payload');
    const response = parsed.data;
    if (response.blocks) checkMessageBlocks(response.blocks);
    origin.uses += 1;
    const content = {
      ...(response.text === undefined ? {} : { text: response.text }),
      ...(response.blocks === undefined ? {} : { blocks: response.blocks }),
    };
    if (response.delete_original && origin.messageTs) {
      this.conversations.delete(origin.channel, origin.messageTs);
    } else if (response.replace_original && origin.messageTs) {
      this.conversations.update(origin.channel, origin.messageTs, content);
    } else if (response.response_type === 'in_channel') {
      this.conversations.post(origin.channel, {
        ...content,
        ...(response.thread_ts ? { thread_ts: response.thread_ts } : {}),
      });
    } else {
      this.conversations.postEphemeral(origin.channel, origin.user, content);
    }
  }
}
