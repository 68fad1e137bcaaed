import type { Instance } from '../ports.js';
import { call, type OciContext } from './context.js';
import { listAll } from './pages.js';
import { fromSdk, InstanceWire, VnicAttachmentWire, VnicWire } from './wire.js';

export async function getInstance(context: OciContext, instanceId: string): Promise<Instance> {
  const response = await call(context, 'getInstance', `instance ${instanceId}`, undefined, (c) =>
    c.compute.getInstance({ instanceId }),
  );
  return fromSdk(InstanceWire, response.instance, 'getInstance');
}

/**
 * The primary VNIC's private IP: an instance does not carry it, its VNIC attachment points at
 * the VNIC that does. Undefined when the instance has no attached primary VNIC.
 */
export async function primaryPrivateIp(context: OciContext, instance: Instance): Promise<string | undefined> {
  const subject = `instance ${instance.id}`;
  const attachments = await call(context, 'listVnicAttachments', subject, instance.compartmentId, (c) =>
    listAll((r) => c.compute.listVnicAttachments(r), {
      compartmentId: instance.compartmentId,
      instanceId: instance.id,
    }),
  );
  for (const attachment of attachments.map((a) => fromSdk(VnicAttachmentWire, a, 'listVnicAttachments'))) {
    if (attachment.lifecycleState !== 'ATTACHED' || !attachment.vnicId) continue;
    const vnicId = attachment.vnicId;
    const response = await call(
      context,
      'getVnic',
      `vnic ${vnicId} of ${subject}`,
      instance.compartmentId,
      (c) => c.network.getVnic({ vnicId }),
    );
    const vnic = fromSdk(VnicWire, response.vnic, 'getVnic');
    if (vnic.isPrimary) return vnic.privateIp;
  }
  return undefined;
}
