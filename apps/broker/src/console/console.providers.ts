import { AgencyConsoleController } from './agency.controller';
import { AgreementsConsoleController } from './agreements.controller';
import { AuditConsoleController } from './audit.controller';
import { CasesConsoleController } from './cases.controller';
import { ManagerConsoleController } from './manager.controller';
import { MeetingsConsoleController } from './meetings.controller';
import { OperationsConsoleController } from './operations.controller';
import { ConsoleExceptionFilter } from './console.filter';
import { ConsoleGuard } from './console.guard';
import { OidcSignIn } from './oidc';
import { ConsoleSessions } from './session';
import { SignInController } from './sign-in.controller';
import { ThresholdsConsoleController } from './thresholds.controller';
import { ConsoleViews } from './views';

/** The console's pages, one controller per area; a new area is added here and in NAVIGATION. */
export const CONSOLE_CONTROLLERS = [
  SignInController,
  CasesConsoleController,
  AgencyConsoleController,
  MeetingsConsoleController,
  ManagerConsoleController,
  AuditConsoleController,
  AgreementsConsoleController,
  OperationsConsoleController,
  ThresholdsConsoleController,
];

export const CONSOLE_PROVIDERS = [
  ConsoleSessions,
  ConsoleViews,
  ConsoleGuard,
  ConsoleExceptionFilter,
  OidcSignIn,
];
