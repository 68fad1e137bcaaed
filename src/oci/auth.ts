import common from 'oci-common';
import { type Config, ConfigError } from '../config.js';

export type OciSettings = Config['oci'];

export interface OciAuth {
  provider: common.AuthenticationDetailsProvider;
  /** The tenancy whose compartments discovery sweeps. */
  tenancy: string;
}

/**
 * The SDK's authentication for `OCI_AUTH`: the config file (a workstation or the simulator),
 * instance principal (the usual choice on an OCI controller node) or resource principal.
 */
export async function authenticate(settings: OciSettings): Promise<OciAuth> {
  switch (settings.auth) {
    case 'config_file': {
      let provider: common.ConfigFileAuthenticationDetailsProvider;
      try {
        provider = new common.ConfigFileAuthenticationDetailsProvider(settings.configFile, settings.profile);
      } catch (error) {
        throw new ConfigError([
          `OCI_CONFIG_FILE: ${settings.configFile} (profile ${settings.profile}) cannot be used: ${(error as Error).message}`,
        ]);
      }
      return { provider, tenancy: settings.tenancy ?? provider.getTenantId() };
    }
    case 'instance_principal': {
      const builder = new common.InstancePrincipalsAuthenticationDetailsProviderBuilder();
      const provider = await builder.build();
      return { provider, tenancy: settings.tenancy ?? builder.tenancyId };
    }
    case 'resource_principal': {
      const provider = common.ResourcePrincipalAuthenticationDetailsProvider.builder();
      const claim = common.ResourcePrincipalAuthenticationDetailsProvider.ClaimKeys.TENANT_ID_CLAIM_KEY;
      const tenancy = settings.tenancy ?? (await provider.getStringClaim(claim));
      if (!tenancy)
        throw new ConfigError(['OCI_TENANCY_OCID: required, the resource principal names no tenancy']);
      return { provider, tenancy };
    }
  }
}
