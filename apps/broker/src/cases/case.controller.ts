import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody } from '../common/openapi';
import { UuidSchema } from '../common/ids';
import { ZodPipe } from '../common/zod.pipe';
import {
  CaseListQuerySchema,
  MemberSchema,
  MemberUpdateSchema,
  ReferralSchema,
  RerateSchema,
  type CaseListQuery,
  type MemberDto,
  type MemberUpdateDto,
  type ReferralDto,
  type RerateDto,
} from './case.dto';
import { CaseService } from './case.service';
import { MemberService } from './member.service';

const id = new ZodPipe(UuidSchema);

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class CaseController {
  constructor(
    private readonly cases: CaseService,
    private readonly members: MemberService,
  ) {}

  @Post('referrals')
  @Roles('analyst')
  @ApiZodBody(ReferralSchema)
  openFromReferral(
    @CurrentUser() user: Principal,
    @Body(new ZodPipe(ReferralSchema)) dto: ReferralDto,
  ) {
    return this.cases.openFromReferral(user, dto);
  }

  /** A representative lists only the cases their agency was asked about. */
  @Get('cases')
  @Roles('analyst', 'manager', 'agency-representative')
  list(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(CaseListQuerySchema)) filter: CaseListQuery,
  ) {
    return this.cases.list(user, filter);
  }

  /** Changes the RAG rating with a rationale kept in the case's history; the deadline is recomputed. */
  @Post('cases/:id/rating')
  @HttpCode(200)
  @Roles('analyst', 'manager')
  @ApiZodBody(RerateSchema)
  rerate(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(RerateSchema)) dto: RerateDto,
  ) {
    return this.cases.rerate(user, caseId, dto);
  }

  /** Adds a household member found after the referral (a sibling, a parent's new partner...). */
  @Post('cases/:id/members')
  @Roles('analyst')
  @ApiZodBody(MemberSchema)
  addMember(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(MemberSchema)) dto: MemberDto,
  ) {
    return this.members.add(user, caseId, dto);
  }

  /** Adds what would settle a possible match (an NHS number, a UPN, a postcode or address). */
  @Patch('cases/:id/members/:memberId')
  @Roles('analyst')
  @ApiZodBody(MemberUpdateSchema)
  updateMember(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Param('memberId', id) memberId: string,
    @Body(new ZodPipe(MemberUpdateSchema)) dto: MemberUpdateDto,
  ) {
    return this.members.update(user, caseId, memberId, dto);
  }
}
