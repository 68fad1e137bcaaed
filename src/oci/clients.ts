import common from 'oci-common';
import computeInstanceAgent from 'oci-computeinstanceagent';
import core from 'oci-core';
import identity from 'oci-identity';
import workRequests from 'oci-workrequests';
import { FetchContentLengthSigner, RetryAfterHttpClient } from './http-client.js';
import { type RetryPolicy, requestTimeoutOptions, retryConfiguration } from './retry.js';

export interface OciClients {
  identity: identity.IdentityClient;
  compute: core.ComputeClient;
  network: core.VirtualNetworkClient;
  workRequests: workRequests.WorkRequestClient;
  agent: computeInstanceAgent.ComputeInstanceAgentClient;
}

export interface ClientOptions {
  /** One base URL for every service (OCI_ENDPOINT, e.g. the simulator), without the API version. */
  endpoint?: string;
  region?: string;
  retry: RetryPolicy;
}

/** Every client the adapter uses, with one retry policy and pointed at one place. */
export function createClients(
  provider: common.AuthenticationDetailsProvider,
  options: ClientOptions,
): OciClients {
  const retry = retryConfiguration(options.retry);
  const params = {
    httpClient: new RetryAfterHttpClient(
      new FetchContentLengthSigner(new common.DefaultRequestSigner(provider)),
      requestTimeoutOptions(options.retry.requestTimeoutMs),
      options.retry.maxDelayMs,
    ),
  };
  // With our own HTTP client the SDK's default circuit breaker is never used: our retry policy
  // backs off instead (and the breaker returns its wrapper, not the response, with httpOptions).
  const configuration = { retryConfiguration: retry };
  const clients: OciClients = {
    identity: new identity.IdentityClient(params, configuration),
    compute: new core.ComputeClient(params, configuration),
    network: new core.VirtualNetworkClient(params, configuration),
    workRequests: new workRequests.WorkRequestClient(params, configuration),
    agent: new computeInstanceAgent.ComputeInstanceAgentClient(params, configuration),
  };
  // With its own HTTP client an SDK client no longer takes the region from the provider.
  const region =
    options.region ?? (common.isRegionProvider(provider) ? provider.getRegion()?.regionId : undefined);
  for (const client of Object.values(clients)) pointAt(client, { endpoint: options.endpoint, region });
  return clients;
}

/**
 * Region first, endpoint last: setting a region rewrites the endpoint, and the endpoint setter
 * appends the service's API version path itself (so OCI_ENDPOINT carries none).
 */
export function pointAt(
  client: { endpoint: string; regionId: string },
  options: Omit<ClientOptions, 'retry'>,
): void {
  if (options.region) client.regionId = options.region;
  if (options.endpoint)
    client.endpoint = options.endpoint.replace(/\/+$/, '').replace(/\/(20160918|20180530)$/, '');
}
