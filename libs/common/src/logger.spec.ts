import type { IncomingMessage, ServerResponse } from 'node:http';
import { loggerParams } from './logger';

type LevelOf = (req: IncomingMessage, res: ServerResponse, error?: Error) => string;

/** The request log's level for a response with this status and these headers. */
function levelFor(statusCode: number, headers: Record<string, string> = {}, error?: Error) {
  const { pinoHttp } = loggerParams({ service: 'test', level: 'log', format: 'json' });
  const options = (Array.isArray(pinoHttp) ? pinoHttp[0] : pinoHttp) as {
    customLogLevel: LevelOf;
  };
  const res = {
    statusCode,
    hasHeader: (name: string) => name.toLowerCase() in headers,
  } as unknown as ServerResponse;
  return options.customLogLevel({} as IncomingMessage, res, error);
}

describe('request log levels', () => {
  it('keeps load shed on purpose (503 with Retry-After) out of the error log', () => {
    expect(levelFor(503, { 'retry-after': '1' })).toBe('debug');
  });

  it('logs other failures as before', () => {
    expect(levelFor(503)).toBe('error');
    expect(levelFor(500)).toBe('error');
    expect(levelFor(200, {}, new Error('thrown'))).toBe('error');
    expect(levelFor(429, { 'retry-after': '30' })).toBe('warn');
    expect(levelFor(404)).toBe('warn');
    expect(levelFor(202)).toBe('info');
  });
});
