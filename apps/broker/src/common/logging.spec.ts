import { Controller, Get, Logger, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import request from 'supertest';
import { loggerModule, handleKafkaMessage } from '@mash/common';
import { correlationMiddleware } from './correlation';

const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];
const destination = {
  write(line: string) {
    raw.push(line);
    lines.push(JSON.parse(line) as Record<string, unknown>);
  },
};

@Controller('api/v1/things')
class ThingController {
  private readonly logger = new Logger('Things');

  @Get()
  list() {
    this.logger.log('listing things');
    return [];
  }
}

@Module({
  imports: [loggerModule({ service: 'broker', level: 'log', format: 'json', destination })],
  controllers: [ThingController],
})
class LoggedModule {}

describe('JSON logs', () => {
  let sut: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [LoggedModule] }).compile();
    sut = moduleRef.createNestApplication({ bufferLogs: true });
    sut.useLogger(sut.get(PinoNestLogger));
    sut.use(correlationMiddleware);
    await sut.init();
  });

  afterAll(async () => {
    await sut.close();
  });

  beforeEach(() => {
    lines.length = 0;
    raw.length = 0;
  });

  it("puts the request's correlation id on each of its lines, and never its credentials", async () => {
    await request(sut.getHttpServer())
      .get('/api/v1/things?givenName=Riley')
      .set('Authorization', 'Bearer secret-token-value')
      .set('Cookie', 'session=secret-cookie')
      .set('x-correlation-id', 'corr-1234-abcd')
      .expect(200);

    const fromController = lines.find((l) => l.message === 'listing things');
    expect(fromController).toMatchObject({ correlationId: 'corr-1234-abcd', service: 'broker' });
    const completed = lines.find((l) => l.message === 'request completed');
    expect(completed).toMatchObject({
      correlationId: 'corr-1234-abcd',
      req: { method: 'GET', path: '/api/v1/things' },
      res: { statusCode: 200 },
    });
    const all = raw.join('');
    expect(all).not.toMatch(/secret-token-value|secret-cookie|authorization|Riley/i);
  });

  it("puts a Kafka message's correlation id on the lines written while handling it", async () => {
    await handleKafkaMessage(
      { topic: 'mash.police.query.responded.v1', headers: { 'correlation-id': 'query-5678-efgh' } },
      async () => new Logger('Answers').log('answer stored'),
    );
    expect(lines.find((l) => l.message === 'answer stored')).toMatchObject({
      correlationId: 'query-5678-efgh',
    });
  });
});
