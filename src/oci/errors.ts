import type { MayHeal } from '../poll.js';

/** What a failed OCI call was about, so its error can say what to do. */
export interface CallContext {
  /** The SDK operation, e.g. listInstanceMaintenanceEvents. */
  operation: string;
  /** The thing it was about, e.g. "compartment ocid1.compartment…" or "event ocid1…". */
  subject: string;
  /** Where a policy would have to grant access; the tenancy when unknown. */
  compartmentId?: string;
  /** Who Pitstop runs as: a user's group (config file) or a dynamic group (instance/resource principal). */
  principal: 'group' | 'dynamic-group';
}

/**
 * What can heal by waiting: throttling and OCI's own failures. 400, 401 (a rotated key), 404
 * (gone, or a policy missing) and 409 IncorrectState say the same on every later try.
 */
const transientStatus = (status: number) => status === 429 || status >= 500;

/**
 * An OCI call that failed after the SDK's retries, with what it was and what to do. `transient`
 * tells a wait whether to go on: true for a status that can heal and for a call that got no
 * answer at all; false for every other status and for Pitstop's own refusals (no status).
 */
export class CloudError extends Error implements MayHeal {
  override readonly name = 'CloudError';
  readonly transient: boolean;
  constructor(
    message: string,
    readonly operation: string,
    readonly statusCode?: number,
    readonly serviceCode?: string,
    readonly opcRequestId?: string,
    options: { unanswered?: boolean } = {},
  ) {
    super(message);
    this.transient = statusCode === undefined ? options.unanswered === true : transientStatus(statusCode);
  }
}

/**
 * The statement a 404 NotAuthorizedOrNotFound most likely lacks, per operation (the resource
 * families of OCI's policy reference: maintenance events, instances and work requests belong
 * to instance-family; Run Command to instance-agent-command-family).
 */
const POLICY: Record<string, { verb: string; family: string; scope?: 'tenancy' }> = {
  listCompartments: { verb: 'inspect', family: 'compartments', scope: 'tenancy' },
  listInstanceMaintenanceEvents: { verb: 'read', family: 'instance-family' },
  getInstanceMaintenanceEvent: { verb: 'read', family: 'instance-family' },
  updateInstanceMaintenanceEvent: { verb: 'use', family: 'instance-family' },
  getInstance: { verb: 'read', family: 'instance-family' },
  terminateInstance: { verb: 'manage', family: 'instance-family' },
  listVnicAttachments: { verb: 'read', family: 'instance-family' },
  getVnic: { verb: 'read', family: 'virtual-network-family' },
  getWorkRequest: { verb: 'read', family: 'instance-family' },
  listWorkRequestErrors: { verb: 'read', family: 'instance-family' },
  createInstanceAgentCommand: { verb: 'manage', family: 'instance-agent-command-family' },
  getInstanceAgentCommandExecution: { verb: 'manage', family: 'instance-agent-command-family' },
};

export function missingPolicy(context: CallContext): string | undefined {
  const policy = POLICY[context.operation];
  if (!policy) return undefined;
  const where =
    policy.scope === 'tenancy' || !context.compartmentId
      ? 'tenancy'
      : `compartment id ${context.compartmentId}`;
  const who = context.principal === 'group' ? 'group <your-group>' : 'dynamic-group <your-dynamic-group>';
  return `Allow ${who} to ${policy.verb} ${policy.family} in ${where}`;
}

interface ServiceErrorShape {
  statusCode: number;
  serviceCode?: string;
  message?: string;
  opcRequestId?: string | null;
}

const isServiceError = (error: unknown): error is ServiceErrorShape =>
  typeof error === 'object' && error !== null && typeof (error as ServiceErrorShape).statusCode === 'number';

/** Turns whatever the SDK threw into a CloudError that names the call and the way out. */
export function translateOciError(error: unknown, context: CallContext): CloudError {
  const what = `${context.operation} (${context.subject})`;
  if (!isServiceError(error)) {
    const message = (error as { message?: string })?.message ?? String(error);
    return new CloudError(
      `${what} got no answer from OCI after retries: ${message}. Check the network path to the OCI endpoint (OCI_ENDPOINT/region).`,
      context.operation,
      undefined,
      undefined,
      undefined,
      { unanswered: true },
    );
  }
  const { statusCode, serviceCode = 'Unknown', opcRequestId } = error;
  const said = `${statusCode} ${serviceCode}: ${error.message ?? ''}`.trim();
  const ref = opcRequestId ? ` (opc-request-id ${opcRequestId})` : '';
  const advice = adviceFor(statusCode, serviceCode, context);
  return new CloudError(
    `${what} failed: ${said}${ref}.${advice ? ` ${advice}` : ''}`,
    context.operation,
    statusCode,
    serviceCode,
    opcRequestId ?? undefined,
  );
}

function adviceFor(status: number, code: string, context: CallContext): string | undefined {
  if (code === 'NotAuthorizedOrNotFound' || (status === 404 && code !== 'NotFound')) {
    const policy = missingPolicy(context);
    return policy
      ? `OCI says this both for what does not exist and for what Pitstop may not see. If it exists, the IAM policy statement likely missing is: "${policy}".`
      : 'It does not exist, or Pitstop lacks the IAM policy to see it.';
  }
  if (status === 401) {
    return "OCI rejected the request signature: was the API key rotated or deleted? Check the profile in OCI_CONFIG_FILE (user, fingerprint, key_file) or the principal, and this host's clock.";
  }
  if (status === 429)
    return 'OCI kept throttling after every retry; lower OCI_DISCOVERY_CONCURRENCY or try later.';
  if (status === 412) return 'The event changed while Pitstop was acting; it will be read again.';
  if (status >= 500) return 'OCI kept failing after every retry; try again later.';
  return undefined;
}

/** Runs one SDK call and translates its failure. */
export async function ociCall<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateOciError(error, context);
  }
}
