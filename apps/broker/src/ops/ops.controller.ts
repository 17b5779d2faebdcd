import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { BlockList } from 'node:net';
import type { Request, Response } from 'express';
import { Kafka } from 'kafkajs';
import { kafkaClientConfig } from '@mash/common';
import { Public } from '../auth/decorators';
import { addressList, inList } from '../common/network';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { brokerError } from '../common/errors';
import { HealthRepository } from './health.repository';

@ApiTags('operations')
@Controller()
export class OpsController {
  private readonly kafka: Kafka;
  private kafkaCheck: { at: number; up: boolean } = { at: 0, up: false };
  private readonly operators: BlockList;

  constructor(
    private readonly healthChecks: HealthRepository,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly metrics: BrokerMetrics,
  ) {
    this.operators = addressList(config.metricsAllow);
    this.kafka = new Kafka({
      ...kafkaClientConfig(config.kafka, 'broker-health'),
      retry: { retries: 0 },
    });
  }

  /** Liveness and readiness: 200 when the database and Kafka answer, 503 otherwise. */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) res: Response) {
    const database = (await this.healthChecks.databaseUp()) ? 'up' : 'down';
    const kafka = (await this.kafkaUp()) ? 'up' : 'down';
    const ok = database === 'up' && kafka === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', live: true, ready: ok, checks: { database, kafka } };
  }

  private async kafkaUp(): Promise<boolean> {
    if (Date.now() - this.kafkaCheck.at < 5_000) return this.kafkaCheck.up;
    const admin = this.kafka.admin();
    let up = false;
    try {
      await admin.connect();
      await admin.describeCluster();
      up = true;
    } catch {
      up = false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.kafkaCheck = { at: Date.now(), up };
    return up;
  }

  /**
   * For the operator network only (`METRICS_ALLOW`): the figures include each partnership's
   * caseload by rating. Judged by the connection's address, never a forwarded header.
   */
  @Get('metrics')
  @Public()
  metricsText(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (!inList(this.operators, req.socket.remoteAddress))
      throw brokerError('METRICS.FORBIDDEN', 'metrics are served only to the operator network');
    res.type('text/plain; version=0.0.4');
    return this.metrics.registry.metrics();
  }

  /** The broker's public keys: adapters verify grants and seal answers with these. */
  @Get('.well-known/jwks.json')
  @Public()
  jwks() {
    return this.keys.broker.jwks;
  }

  /** Development only: the dev issuer's keys, fetched by the same JWKS path as a real IdP's. */
  @Get('.well-known/dev-jwks.json')
  @Public()
  @ApiExcludeEndpoint()
  devJwks() {
    if (this.config.auth.mode !== 'dev' || !this.keys.devIssuer) throw new NotFoundException();
    return this.keys.devIssuer.jwks;
  }
}
