import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

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
  for (const column of metadata.columns) {
    const value = row[column.databaseName];
    const type = String(column.type);
    if (!SAME_IN_JSON.has(type) && type !== 'timestamptz')
      throw new Error(`${metadata.name}.${column.propertyName}: ${type} is not mapped from JSON`);
    column.setEntityValue(
      entity,
      value === undefined || value === null
        ? null
        : type === 'timestamptz'
          ? new Date(value as string | Date)
          : value,
    );
  }
  return entity;
}

/** Column types whose JSON value is what the driver returns for them. */
const SAME_IN_JSON = new Set(['text', 'uuid', 'boolean', 'int', 'integer', 'jsonb']);
