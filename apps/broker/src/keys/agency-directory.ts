import { Inject, Injectable } from '@nestjs/common';
import { JwksClient, isSecureJwksUrl } from '@mash/common';
import { AGENCIES, type Agency } from '@mash/contracts';
import { BROKER_CONFIG, type AgencyRegistry, type BrokerConfig } from '../config/config';
import { brokerError } from '../common/errors';

/**
 * The keys registered for each agency in each partnership. An answer counts only if the agency
 * key registered for THAT partnership signed it; env `<AGENCY>_JWKS_URL` overrides the default.
 */
@Injectable()
export class AgencyDirectory {
  private readonly clients = new Map<string, JwksClient>();
  private readonly registry: AgencyRegistry;

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {
    this.registry = config.agencyRegistry;
    if (config.auth.mode === 'production') {
      const urls = [
        ...Object.values(this.registry.default ?? {}),
        ...Object.values(this.registry.partnerships).flatMap((p) => Object.values(p)),
      ].map((entry) => entry.jwksUrl);
      if (urls.some((url) => !isSecureJwksUrl(url)))
        throw new Error(
          `agency registry ${config.agencyRegistryFile} names a plain-http key set URL; production needs https`,
        );
    }
  }

  private url(partnership: string, agency: Agency): string | undefined {
    const own = this.registry.partnerships[partnership]?.[agency]?.jwksUrl;
    if (own) return own;
    return this.config.agencyJwksOverrides[agency] ?? this.registry.default?.[agency]?.jwksUrl;
  }

  /** The agencies registered for a partnership (its own entries or the defaults). */
  registeredFor(partnership: string): Agency[] {
    return AGENCIES.filter((agency) => this.url(partnership, agency) !== undefined);
  }

  /**
   * Every key set registered for an agency, by default or for any partnership: what a message
   * that belongs to no partnership (a heartbeat) is verified against.
   */
  keySetsFor(agency: Agency): JwksClient[] {
    const urls = new Set<string>();
    const fallback =
      this.config.agencyJwksOverrides[agency] ?? this.registry.default?.[agency]?.jwksUrl;
    if (fallback) urls.add(fallback);
    for (const entries of Object.values(this.registry.partnerships)) {
      const own = entries[agency]?.jwksUrl;
      if (own) urls.add(own);
    }
    return [...urls].map((url) => this.client(url));
  }

  keysFor(partnership: string, agency: Agency): JwksClient {
    const url = this.url(partnership, agency);
    if (!url)
      throw brokerError(
        'AGENCY.NOT_REGISTERED',
        `${agency} is not registered for this partnership`,
      );
    return this.client(url);
  }

  private client(url: string): JwksClient {
    let client = this.clients.get(url);
    if (!client) {
      client = new JwksClient(url, { cooldownMs: 5_000 });
      this.clients.set(url, client);
    }
    return client;
  }
}
