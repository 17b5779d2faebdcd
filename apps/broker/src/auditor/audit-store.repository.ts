import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  proveConsistency,
  proveInclusion,
  readStoredCheckpoints,
  verifyChain,
  type ConsistencyProof,
  type InclusionProof,
  type SignedCheckpoint,
} from '@mash/audit';

/**
 * The audit library's readers over the broker database (proofs, stored checkpoints, chain
 * verification), so the auditor's service holds no database handle of its own.
 */
@Injectable()
export class AuditStoreRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  proveInclusion(chainId: string, chainSeq: number, treeSize?: number): Promise<InclusionProof> {
    return proveInclusion(this.dataSource, chainId, chainSeq, treeSize);
  }

  proveConsistency(
    chainId: string,
    firstSize: number,
    secondSize?: number,
  ): Promise<ConsistencyProof> {
    return proveConsistency(this.dataSource, chainId, firstSize, secondSize);
  }

  storedCheckpoints(chainId: string): Promise<SignedCheckpoint[]> {
    return readStoredCheckpoints(this.dataSource, chainId);
  }

  verifyChain(options: Parameters<typeof verifyChain>[1]): ReturnType<typeof verifyChain> {
    return verifyChain(this.dataSource, options);
  }
}
