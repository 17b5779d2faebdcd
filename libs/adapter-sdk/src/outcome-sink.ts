import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { z } from 'zod';
import type { MashOutcomeFeedback } from './connector';
import { insertMashOutcome } from './outcome-table';

/**
 * Where the adapter hands the agency a case outcome the MASH fed back. The source system is read
 * only, so an outcome reaches the agency through an interface the agency chooses: the adapter's
 * own `mash_outcome` table (default), a table the agency names in a database of its choosing
 * (with its own write credentials), a file drop, or an HTTP call. Each is idempotent by outcome id.
 */
export const OutcomeDeliverySchema = z.discriminatedUnion('to', [
  z
    .object({ to: z.literal('store') })
    .describe("The adapter's own database, table mash_outcome (the agency reads it from there)."),
  z
    .object({
      to: z.literal('table'),
      /** Environment variable holding the URL (with write credentials) of the agency's database. */
      urlEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
      table: z.string().regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/),
    })
    .describe(
      'A table in a database the agency chooses: columns outcome_id (unique), case_ref, subject_ref, outcome, decided_at.',
    ),
  z
    .object({ to: z.literal('file'), directory: z.string().min(1) })
    .describe(
      'One JSON file per outcome, <outcomeId>.json, written whole (temporary name, then renamed).',
    ),
  z
    .object({ to: z.literal('http'), url: z.string().url() })
    .describe(
      'POST of the outcome as JSON; any 2xx is delivered, anything else is tried again later.',
    ),
]);
export type OutcomeDelivery = z.infer<typeof OutcomeDeliverySchema>;

export interface OutcomeSink {
  deliver(outcome: MashOutcomeFeedback): Promise<void>;
  close?(): Promise<void>;
}

interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export function outcomeSink(
  delivery: OutcomeDelivery,
  store: SqlRunner,
  env: NodeJS.ProcessEnv = process.env,
): OutcomeSink {
  switch (delivery.to) {
    case 'store':
      return { deliver: (o) => insertMashOutcome(store, o) };
    case 'table': {
      const url = env[delivery.urlEnv];
      if (!url) throw new Error(`outcome delivery: ${delivery.urlEnv} is not set`);
      const pool = new Pool({ connectionString: url, max: 2 });
      pool.on('error', () => undefined);
      return {
        deliver: (o) => insertMashOutcome(pool, o, delivery.table),
        close: () => pool.end(),
      };
    }
    case 'file': {
      const directory = resolve(delivery.directory);
      return {
        async deliver(o) {
          await mkdir(directory, { recursive: true });
          const target = join(directory, `${o.outcomeId.replace(/[^A-Za-z0-9-]/g, '_')}.json`);
          await writeFile(`${target}.tmp`, `${JSON.stringify(o)}\n`, { mode: 0o600 });
          await rename(`${target}.tmp`, target);
        },
      };
    }
    case 'http':
      return {
        async deliver(o) {
          const res = await fetch(delivery.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': o.outcomeId },
            body: JSON.stringify(o),
            signal: AbortSignal.timeout(10_000),
          });
          if (!res.ok) throw new Error(`outcome delivery answered ${res.status}`);
        },
      };
  }
}
