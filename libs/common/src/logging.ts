import { z } from 'zod';

/** NestJS's log levels, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `LOG_LEVEL` in every service's environment schema. */
export const LogLevelSchema = z.enum(LOG_LEVELS).default('log');

/** The levels a service logs at `level`: that one and every more severe one. */
export function logLevelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** `LOG_FORMAT`: JSON lines (default when not at a terminal), or pretty for a person reading. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LogFormatSchema = z.enum(LOG_FORMATS).default('auto');
