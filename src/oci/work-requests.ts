import type { WorkRequest } from '../ports.js';
import { call, type OciContext } from './context.js';
import { listAll } from './pages.js';
import { fromSdk, WorkRequestErrorWire, WorkRequestWire } from './wire.js';

/** The work request's status; when it FAILED, OCI's errors are read so the job can say why. */
export async function getWorkRequest(context: OciContext, workRequestId: string): Promise<WorkRequest> {
  const subject = `work request ${workRequestId}`;
  const response = await call(context, 'getWorkRequest', subject, undefined, (c) =>
    c.workRequests.getWorkRequest({ workRequestId }),
  );
  const request = fromSdk(WorkRequestWire, response.workRequest, 'getWorkRequest');
  if (request.status !== 'FAILED') return { ...request, errors: [] };
  const errors = await call(context, 'listWorkRequestErrors', subject, undefined, (c) =>
    listAll((r) => c.workRequests.listWorkRequestErrors(r), { workRequestId }),
  );
  return {
    ...request,
    errors: errors
      .map((e) => fromSdk(WorkRequestErrorWire, e, 'listWorkRequestErrors'))
      .map((e) => `${e.code}: ${e.message}`),
  };
}
