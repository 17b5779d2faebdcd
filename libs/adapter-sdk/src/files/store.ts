import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cinReader } from './cin';
import { ctfReader } from './ctf';
import type { FileKind, ImportedPerson, ParsedFile, ParseOptions } from './types';

/**
 * Where imported files land in the adapter's own store: the people (`file_person`, the identity the
 * match index reads, its `updated_at` the change feed) and their records (`file_record`, one row per
 * record, its fields under their contract names) with the import they came from (`file_import`).
 * A connector file with `source.driver: files` reads them (deploy/connectors/*-files.yaml).
 */
export class AdapterFileImports1797000000000 implements MigrationInterface {
  name = 'AdapterFileImports1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "file_import" (
      "import_id" uuid PRIMARY KEY,
      "kind" varchar(10) NOT NULL,
      "file_name" text NOT NULL,
      "sha256" char(64) NOT NULL,
      "source" text NOT NULL,
      "people" integer NOT NULL,
      "records" integer NOT NULL,
      "imported_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "file_person" (
      "ref" uuid PRIMARY KEY,
      "kind" varchar(10) NOT NULL,
      "file_key" varchar(40) NOT NULL,
      "given_name" text,
      "family_name" text,
      "other_family_name" text,
      "date_of_birth" date NOT NULL,
      "sex" varchar(10),
      "address" text,
      "postcode" varchar(10),
      "upn" varchar(13),
      "former_upn" varchar(13),
      "la_child_id" varchar(40),
      "import_id" uuid NOT NULL REFERENCES "file_import",
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_file_person_key" UNIQUE ("kind", "file_key")
    )`);
    // The change feed reads by updated_at.
    await q.query(`CREATE INDEX "IDX_file_person_updated_at" ON "file_person" ("updated_at")`);
    await q.query(`CREATE TABLE "file_record" (
      "record_id" bigserial PRIMARY KEY,
      "ref" uuid NOT NULL REFERENCES "file_person" ON DELETE CASCADE,
      "category" varchar(40) NOT NULL,
      "occurred_on" date,
      "fields" jsonb NOT NULL,
      "import_id" uuid NOT NULL REFERENCES "file_import"
    )`);
    await q.query(`CREATE INDEX "IDX_file_record_ref" ON "file_record" ("ref", "category")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "file_record"`);
    await q.query(`DROP TABLE "file_person"`);
    await q.query(`DROP TABLE "file_import"`);
  }
}

export const FILE_KINDS: Record<FileKind, string> = {
  ctf: 'DfE Common Transfer File (CTF)',
  cin: 'DfE Children in Need census (CIN)',
};

/**
 * Reads and validates a whole file, streaming it in chunks (progress by bytes); throws a
 * `FileImportError` naming the line and element of the first problem. Nothing is written here.
 */
export async function parseFile(
  kind: FileKind,
  path: string,
  options: ParseOptions = {},
): Promise<ParsedFile & { sha256: string; bytes: number }> {
  const people: ImportedPerson[] = [];
  const reader =
    kind === 'ctf' ? ctfReader((p) => people.push(p)) : cinReader((p) => people.push(p));
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    reader.write(decoder.write(buffer));
    options.progress?.(bytes, people.length);
  }
  reader.write(decoder.end());
  return { ...reader.close(people), sha256: hash.digest('hex'), bytes };
}

export interface ImportSummary {
  importId: string;
  kind: FileKind;
  source: string;
  people: number;
  added: number;
  records: number;
}

/**
 * Writes a parsed file into the store in one transaction: each person upserted by the file's own
 * key (a later file replaces that person's records of this kind), `updated_at` moved so the match
 * index re-reads them. Either all of it is written or, on any failure, none.
 */
export async function writeImport(
  q: QueryRunner,
  parsed: ParsedFile & { sha256: string },
  fileName: string,
  progress?: (done: number, total: number) => void,
): Promise<ImportSummary> {
  const importId = randomUUID();
  const records = parsed.people.reduce((n, p) => n + p.records.length, 0);
  let added = 0;
  await q.startTransaction();
  try {
    await q.query(
      `INSERT INTO file_import (import_id, kind, file_name, sha256, source, people, records)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        importId,
        parsed.kind,
        basename(fileName),
        parsed.sha256,
        parsed.source,
        parsed.people.length,
        records,
      ],
    );
    let done = 0;
    for (const p of parsed.people) {
      const [row] = (await q.query(
        `INSERT INTO file_person AS f (ref, kind, file_key, given_name, family_name, other_family_name,
                                  date_of_birth, sex, address, postcode, upn, former_upn, la_child_id, import_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (kind, file_key) DO UPDATE SET
           given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name,
           other_family_name = EXCLUDED.other_family_name, date_of_birth = EXCLUDED.date_of_birth,
           sex = EXCLUDED.sex, address = EXCLUDED.address, postcode = EXCLUDED.postcode,
           upn = EXCLUDED.upn, former_upn = EXCLUDED.former_upn, la_child_id = EXCLUDED.la_child_id,
           import_id = EXCLUDED.import_id, updated_at = now()
         RETURNING ref, (xmax = 0) AS inserted`,
        [
          randomUUID(),
          parsed.kind,
          p.key,
          p.givenName ?? null,
          p.familyName ?? null,
          p.otherFamilyName ?? null,
          p.dateOfBirth,
          p.sex ?? null,
          p.address ?? null,
          p.postcode ?? null,
          p.upn ?? null,
          p.formerUpn ?? null,
          p.laChildId ?? null,
          importId,
        ],
      )) as Array<{ ref: string; inserted: boolean }>;
      if (row.inserted) added++;
      await q.query(`DELETE FROM file_record WHERE ref = $1`, [row.ref]);
      if (p.records.length)
        await q.query(
          `INSERT INTO file_record (ref, category, occurred_on, fields, import_id)
           SELECT $1, r.category, r.occurred_on::date, r.fields, $2
             FROM jsonb_to_recordset($3::jsonb) AS r(category text, occurred_on text, fields jsonb)`,
          [
            row.ref,
            importId,
            JSON.stringify(
              p.records.map((r) => ({
                category: r.category,
                occurred_on: r.occurredOn ?? null,
                fields: r.fields,
              })),
            ),
          ],
        );
      if (++done % 500 === 0) progress?.(done, parsed.people.length);
    }
    await q.commitTransaction();
    progress?.(parsed.people.length, parsed.people.length);
  } catch (error) {
    await q.rollbackTransaction();
    throw error;
  }
  return {
    importId,
    kind: parsed.kind,
    source: parsed.source,
    people: parsed.people.length,
    added,
    records,
  };
}
