import { applyDecorators, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import { Public } from '../auth/decorators';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard } from './console.guard';

import { ANONYMOUS_PAGE_KEY, CONSOLE_PAGE_KEY } from './metadata';

export { ANONYMOUS_PAGE_KEY, CONSOLE_PAGE_KEY };

/**
 * A console controller: its pages are authenticated by the console session (ConsoleGuard), not a
 * bearer token, so the API's token guard lets them through (@Public) and ConsoleGuard then applies
 * the same @Roles policy to the signed-in principal; errors become pages (ConsoleExceptionFilter).
 */
export const ConsolePages = () =>
  applyDecorators(
    Public(),
    SetMetadata(CONSOLE_PAGE_KEY, true),
    UseGuards(ConsoleGuard),
    UseFilters(ConsoleExceptionFilter),
  );

/** A console page anyone may see (the sign-in pages). */
export const AnonymousPage = () => SetMetadata(ANONYMOUS_PAGE_KEY, true);
