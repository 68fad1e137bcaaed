import type { OciClients } from './clients.js';
import { type CallContext, ociCall } from './errors.js';

/** What every adapter module needs: the clients, the tenancy and who Pitstop runs as. */
export interface OciContext {
  clients: OciClients;
  tenancy: string;
  principal: CallContext['principal'];
}

/** One SDK call with its failure translated (naming the operation, subject and policy). */
export function call<T>(
  context: OciContext,
  operation: string,
  subject: string,
  compartmentId: string | undefined,
  run: (clients: OciClients) => Promise<T>,
): Promise<T> {
  return ociCall({ operation, subject, compartmentId, principal: context.principal }, () =>
    run(context.clients),
  );
}
