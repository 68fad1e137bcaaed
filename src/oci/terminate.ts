import { call, type OciContext } from './context.js';

/**
 * TerminateInstance. The boot volume is kept (`preserveBootVolume: true`, OCI's default is to
 * delete it): it holds the failed host's kernel log and GPU error records that a support case
 * asks for, and deleting it cannot be undone, so that stays a human's separate step. Data volumes
 * created at launch are kept too (OCI's default, said explicitly: an instance that has some is
 * refused otherwise). TerminateInstance takes no opc-retry-token; a second call for an instance
 * already TERMINATING or TERMINATED changes nothing at OCI, and the caller reads the state first.
 */
export async function terminateInstance(context: OciContext, instanceId: string): Promise<void> {
  await call(context, 'terminateInstance', `instance ${instanceId}`, undefined, (c) =>
    c.compute.terminateInstance({
      instanceId,
      preserveBootVolume: true,
      preserveDataVolumesCreatedAtLaunch: true,
    }),
  );
}
