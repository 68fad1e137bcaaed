/**
 * What the SDK hands back, checked at the border: the SDK's models are TypeScript types only,
 * so a service (or simulator) that answers something else would otherwise flow on unchecked.
 */
import { z } from 'zod';
import { CloudError } from './errors.js';

export const CompartmentWire = z.object({
  id: z.string().min(1),
  name: z.string(),
  compartmentId: z.string().optional(),
  lifecycleState: z.string(),
});

export const InstanceWire = z.object({
  id: z.string().min(1),
  displayName: z.string().default(''),
  shape: z.string(),
  compartmentId: z.string().min(1),
  lifecycleState: z.string(),
});

export const VnicAttachmentWire = z.object({ vnicId: z.string().optional(), lifecycleState: z.string() });
export const VnicWire = z.object({ privateIp: z.string().optional(), isPrimary: z.boolean().optional() });

export const WorkRequestWire = z.object({
  id: z.string().min(1),
  status: z.enum(['ACCEPTED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELING', 'CANCELED']),
  percentComplete: z.number().optional(),
});

export const WorkRequestErrorWire = z.object({ code: z.string(), message: z.string() });

export const CommandWire = z.object({ id: z.string().min(1) });

export const CommandExecutionWire = z.object({
  lifecycleState: z.string(),
  content: z
    .object({ exitCode: z.number().optional(), text: z.string().optional(), message: z.string().optional() })
    .optional(),
});

/** Parses an SDK answer; a mismatch names the operation and the field. */
export function fromSdk<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new CloudError(
    `${operation} returned an unexpected shape: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    operation,
  );
}
