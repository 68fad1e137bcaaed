import type { App, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { DENY_MODAL } from '../../blocks/ids.js';
import { eventOn, isRefusedDecision, JobId, refuse, tell, tellNotDecidable, UserId } from '../decision.js';
import type { ListenerDeps } from '../deps.js';

const Submission = z.object({
  user: UserId,
  /** denyModal puts the job id in private_metadata. */
  jobId: JobId,
  /** As typed: the message and the audit log show it so. */
  reason: z.string().refine((text) => text.trim().length > 0, 'say why'),
});

const ViewState = z.object({
  [DENY_MODAL.reasonBlockId]: z.object({
    [DENY_MODAL.reasonActionId]: z.object({ value: z.string().nullish() }),
  }),
});

/** The Deny modal's submission: the job is denied with the reason as typed. */
export async function denySubmitted(
  deps: ListenerDeps,
  client: WebClient,
  submission: z.infer<typeof Submission>,
): Promise<void> {
  const { user, jobId, reason } = submission;
  const job = deps.store.get(jobId);
  const to = { channel: job?.slack?.channel, user };
  // Approvers may have changed since the modal opened.
  if (!(await deps.approvers.isApprover(user))) {
    return refuse(deps, client, { ...to, decision: 'deny', job });
  }
  try {
    const denied = await deps.orchestrator.deny(jobId, user, 'slack', reason);
    deps.log.info(
      { component: 'slack', user, jobId, eventId: denied.eventId, node: denied.node },
      `denied in Slack by ${user}`,
    );
  } catch (error) {
    if (isRefusedDecision(error)) return tellNotDecidable(deps, client, to, jobId);
    deps.log.error({ component: 'slack', user, jobId, err: error }, 'a Deny submission failed');
    const what = job ? eventOn(job) : `job ${jobId}`;
    await tell(
      deps,
      client,
      to,
      `Could not deny ${what}: ${(error as Error).message}. Nothing was decided; try again.`,
    );
  }
}

export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(DENY_MODAL.callbackId, async ({ ack, body, view, client }) => {
    const values = ViewState.safeParse(view.state.values);
    const parsed = Submission.safeParse({
      user: body.user.id,
      jobId: view.private_metadata,
      reason: values.success ? (values.data.reason.reason_input.value ?? '') : undefined,
    });
    if (!parsed.success) {
      // The modal stays open and says what is missing.
      const blank = parsed.error.issues.some((issue) => issue.path[0] === 'reason');
      await ack({
        response_action: 'errors',
        errors: {
          [DENY_MODAL.reasonBlockId]: blank
            ? 'Say why the maintenance is denied.'
            : 'Pitstop cannot read this form: close it and click Deny again.',
        },
      });
      return;
    }
    await ack();
    await denySubmitted(deps, client, parsed.data);
  });
}
