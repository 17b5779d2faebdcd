import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal, Role } from './principal';

export const ROLES_KEY = 'mash:roles';
export const PUBLIC_KEY = 'mash:public';

/** Who may call this route. A route with neither @Roles nor @Public is refused (deny by default). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Health, metrics, docs and published keys only. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
  },
);
