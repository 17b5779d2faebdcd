import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** The handle repositories take to join the caller's transaction. */
export type Tx = EntityManager;

/**
 * Runs work in one database transaction. Services use it to commit a state change, its audit
 * entries and its outbox messages together (fail closed), without holding TypeORM themselves;
 * they pass the handle on to repositories and never use it directly.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
