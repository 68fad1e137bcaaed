import { ErrorCode } from '@slack/web-api';

/**
 * Web API errors that sending again cannot heal: the channel, the token, the app's scopes or the
 * content itself is wrong, and only an operator can fix it. Everything else (5xx, timeouts, a lost
 * connection, Slack's own `internal_error`) is retried.
 */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'user_not_found',
  'user_not_in_channel',
  'invalid_thread_ts',
  'restricted_action',
  'channel_is_archived',
]);

export type Failure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'permanent'; error: string }
  | { kind: 'transient'; error: string };

/** What a failed Web API call means for the outbox. */
export function classify(error: unknown): Failure {
  const coded = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
  };
  if (coded.code === ErrorCode.RateLimitedError) {
    return { kind: 'rate_limited', retryAfterMs: Math.max(1, coded.retryAfter ?? 1) * 1000 };
  }
  if (coded.code === ErrorCode.PlatformError) {
    const name = coded.data?.error ?? 'unknown_error';
    return PERMANENT.has(name) ? { kind: 'permanent', error: name } : { kind: 'transient', error: name };
  }
  if (coded.code === ErrorCode.HTTPError) return { kind: 'transient', error: `HTTP ${coded.statusCode}` };
  return { kind: 'transient', error: (error as Error).message ?? String(error) };
}
