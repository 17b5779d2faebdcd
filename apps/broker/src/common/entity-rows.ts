import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Builds an entity from a row keyed by column name: one the driver returned (`SELECT *`), or one
 * PostgreSQL built as JSON (`row_to_json(t)`, `json_agg(t)`), so that a read of a row and its
 * children takes one statement instead of one per table. A TypeORM find of the same rows costs
 * two to three times the CPU (measured on a query's parts: docs/operations.md).
 * The entity's metadata says which property each column fills; timestamps in JSON arrive as ISO
 * strings and become Dates, as the driver makes them. For entities whose columns are text, uuid,
 * boolean, integer, jsonb and timestamptz (what the driver and JSON agree on); another column type
 * throws rather than map a value differently from a TypeORM read. (`json`, not `jsonb`, on the
 * PostgreSQL side: building jsonb re-parses every text value, sealed records included.)
 */
export function entityFromRow<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const { column, timestamp } of mappingOf(metadata)) {
    const value = row[column.databaseName];
    column.setEntityValue(
      entity,
      value === undefined || value === null
        ? null
        : timestamp
          ? new Date(value as string | Date)
          : value,
    );
  }
  return entity;
}

/** Column types whose JSON value is what the driver returns for them. */
const SAME_IN_JSON = new Set(['text', 'uuid', 'boolean', 'int', 'integer', 'jsonb']);

/** An entity's columns, each with whether it holds a timestamp. */
type Mapping = Array<{ column: ColumnMetadata; timestamp: boolean }>;

/** Each entity's columns, checked once (not on every row of every read). */
const mappings = new WeakMap<EntityMetadata, Mapping>();

function mappingOf(metadata: EntityMetadata): Mapping {
  let mapping = mappings.get(metadata);
  if (!mapping) {
    mapping = metadata.columns.map((column) => {
      const type = String(column.type);
      if (!SAME_IN_JSON.has(type) && type !== 'timestamptz')
        throw new Error(`${metadata.name}.${column.propertyName}: ${type} is not mapped from JSON`);
      return { column, timestamp: type === 'timestamptz' };
    });
    mappings.set(metadata, mapping);
  }
  return mapping;
}
