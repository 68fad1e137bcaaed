/** An OCI API error as the service sends it: an HTTP status and a `{code, message}` body. */
export class OciApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new OciApiError(
    404,
    'NotAuthorizedOrNotFound',
    `Authorization failed or requested resource not found: ${what}.`,
  );

export const invalid = (message: string) => new OciApiError(400, 'InvalidParameter', message);
