/**
 * A Web API error as Slack answers it: HTTP 200 with `{ok: false, error}` (and, for validation
 * errors, the reasons in `errors` and `response_metadata.messages`).
 */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

/** Slack's validation answer: each reason in `errors`, and again as `[ERROR] …` in the metadata. */
export function invalid(error: string, reasons: string[], withErrorsField = true): SlackApiError {
  return new SlackApiError(error, {
    ...(withErrorsField ? { errors: reasons } : {}),
    response_metadata: { messages: reasons.map((reason) => `[ERROR] ${reason}`) },
  });
}
