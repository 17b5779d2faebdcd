import { resolve } from 'node:path';
import {
  createSourceDriver,
  openConfiguredConnector,
  type SourceConnector,
} from '@mash/adapter-sdk';
import type { Agency } from '@mash/contracts';
import type { Queryable } from '@mash/matching';
import { SocialCareConnector } from '../../apps/adapter-social-care/src/source';

const ROOT = resolve(__dirname, '../..');

/** The connector file each example adapter runs from (social care is code, see its connector). */
export function connectorFile(agency: Exclude<Agency, 'social-care'>): string {
  return resolve(ROOT, 'deploy/connectors', `${agency}.yaml`);
}

/**
 * The connector an example adapter runs, outside the adapter (tests, benchmarks): the source read
 * through its driver (read-only), the match index from `store`, the adapter's own database.
 */
export function exampleConnector(
  agency: Agency,
  sourceUrl: string,
  store: Queryable,
): { connector: SourceConnector; close: () => Promise<void> } {
  if (agency === 'social-care') {
    const source = createSourceDriver('postgres', sourceUrl);
    return { connector: new SocialCareConnector(source, store), close: () => source.close() };
  }
  return openConfiguredConnector(connectorFile(agency), { sourceUrl, store });
}
