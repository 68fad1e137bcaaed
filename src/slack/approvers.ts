import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { Clock } from '../ports.js';

/** Long enough to spare Slack a call per click, short enough that a removal takes effect soon. */
export const GROUP_CACHE_MS = 5 * 60_000;

const GroupMembers = z.object({ users: z.array(z.string()) });

interface CachedGroup {
  at: number;
  members: Promise<ReadonlySet<string>>;
}

/**
 * Who may decide: SLACK_APPROVERS' user ids (U…/W…) and the members of its user groups (S…),
 * read with usergroups.users.list and cached for GROUP_CACHE_MS. An empty list lets everyone
 * decide (Pitstop's documented default). A group that cannot be read grants nothing (fail
 * closed) and is asked again at the next check.
 */
export class Approvers {
  private readonly users: ReadonlySet<string>;
  private readonly groups: readonly string[];
  private readonly cache = new Map<string, CachedGroup>();

  constructor(
    ids: readonly string[],
    private readonly client: WebClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.users = new Set(ids.filter((id) => !id.startsWith('S')));
    this.groups = ids.filter((id) => id.startsWith('S'));
  }

  get everyone(): boolean {
    return this.users.size === 0 && this.groups.length === 0;
  }

  async isApprover(userId: string): Promise<boolean> {
    if (this.everyone || this.users.has(userId)) return true;
    for (const group of this.groups) {
      if ((await this.members(group)).has(userId)) return true;
    }
    return false;
  }

  private members(group: string): Promise<ReadonlySet<string>> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(group);
    if (cached && now - cached.at < GROUP_CACHE_MS) return cached.members;
    const members = this.read(group);
    this.cache.set(group, { at: now, members });
    return members;
  }

  private async read(group: string): Promise<ReadonlySet<string>> {
    try {
      const answer = GroupMembers.parse(await this.client.usergroups.users.list({ usergroup: group }));
      return new Set(answer.users);
    } catch (error) {
      this.cache.delete(group);
      this.log.warn(
        { component: 'slack', usergroup: group, err: error },
        `cannot read the members of user group ${group} (SLACK_APPROVERS): none of them may decide until it can be read; check the usergroups:read scope and the group id`,
      );
      return new Set();
    }
  }
}
