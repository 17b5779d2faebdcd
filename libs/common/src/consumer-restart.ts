import { ServerKafka } from '@nestjs/microservices';
import type { Consumer, ConsumerCrashEvent } from 'kafkajs';

/** What a restart needs: the consumer's own connect, then whatever subscribes and runs it again. */
export interface Restartable {
  consumer: Pick<Consumer, 'on' | 'events' | 'connect'>;
  /** Subscribes and runs the consumer again (it keeps no run of its own after a crash). */
  start: () => Promise<void>;
  /** Told why, in words without data. */
  warn: (message: string) => void;
  /** Pause before each attempt, in ms. */
  delayMs?: number;
}

/**
 * kafkajs restarts a crashed consumer only after an error it calls retriable. After a Kafka
 * outage a consumer can crash on one it does not (`Failed to find group coordinator`, while the
 * restarted node loads its groups), and stay stopped for good: its service then never consumed
 * again (the kafka-recovery e2e once found 26 of 29 queries unanswered). Such a consumer is
 * connected and started again here, after a pause and until it runs. Returns the function that
 * stops this (on shutdown).
 */
export function restartWhenCrashedForGood({
  consumer,
  start,
  warn,
  delayMs = 1_000,
}: Restartable): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      consumer
        .connect()
        .then(start)
        .catch((error: unknown) => {
          warn(`consumer did not start again (${errorName(error)}); trying again`);
          if (!stopped) attempt();
        });
    }, delayMs);
    timer.unref();
  };
  consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
    if (stopped || event.payload.restart) return;
    warn(`consumer stopped after ${errorName(event.payload.error)}; starting it again`);
    attempt();
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'an unknown error';
}

/**
 * NestJS's Kafka transport, with its consumer started again after a crash kafkajs does not
 * restart (`restartWhenCrashedForGood`). Used as the strategy of the broker's and the adapters'
 * microservice.
 */
export class RestartingServerKafka extends ServerKafka {
  private stopRestarts: (() => void) | undefined;

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    this.stopRestarts?.();
    this.stopRestarts = restartWhenCrashedForGood({
      consumer,
      start: () => this.bindEvents(consumer),
      warn: (message) => this.logger.warn(`Kafka ${message}`),
    });
  }

  override async close(): Promise<void> {
    this.stopRestarts?.();
    await super.close();
  }
}
