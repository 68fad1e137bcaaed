import common from 'oci-common';
import computeInstanceAgent from 'oci-computeinstanceagent';
import core from 'oci-core';
import identity from 'oci-identity';
import workRequests from 'oci-workrequests';
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
  const params = { authenticationDetailsProvider: provider };
  const configuration = {
    retryConfiguration: retryConfiguration(options.retry),
    httpOptions: requestTimeoutOptions(options.retry.requestTimeoutMs),
    // The SDK's default circuit breaker (on for identity, work requests, VCN, agent) hands back
    // its `{response}` wrapper instead of the response whenever httpOptions are set, and our
    // retry policy already backs off; so the breaker is off.
    circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
  };
  const clients: OciClients = {
    identity: new identity.IdentityClient(params, configuration),
    compute: new core.ComputeClient(params, configuration),
    network: new core.VirtualNetworkClient(params, configuration),
    workRequests: new workRequests.WorkRequestClient(params, configuration),
    agent: new computeInstanceAgent.ComputeInstanceAgentClient(params, configuration),
  };
  for (const client of Object.values(clients)) pointAt(client, options);
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
