import { DataSource } from 'typeorm';
import { ensureDatabase } from '@mash/common';
import { brokerDataSourceOptions } from '../../apps/broker/src/data-source';

/** Creates the broker database at `url` if it is missing and runs its migrations, once. */
export async function migrateBrokerDatabase(url: string): Promise<void> {
  await ensureDatabase(url);
  const ds = new DataSource(brokerDataSourceOptions(url));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
