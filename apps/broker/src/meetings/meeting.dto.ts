import { z } from 'zod';
import { AGENCIES } from '@mash/contracts';
import { UuidSchema } from '../common/ids';
import { MEETING_KINDS } from './meeting.entity';

const text = (max: number) => z.string().trim().min(1).max(max);

export const MeetingSchema = z
  .object({
    kind: z.enum(MEETING_KINDS),
    heldAt: z.iso.datetime({ offset: true }),
    attendees: z
      .array(z.object({ name: text(200), agency: z.enum(AGENCIES), role: text(200) }).strict())
      .min(1)
      .max(100),
    cases: z
      .array(
        z
          .object({
            caseId: UuidSchema,
            decision: text(10_000),
            actions: z
              .array(
                z
                  .object({
                    agency: z.enum(AGENCIES),
                    action: text(2000),
                    dueAt: z.iso.datetime({ offset: true }),
                  })
                  .strict(),
              )
              .max(50)
              .default([]),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();
export type MeetingDto = z.infer<typeof MeetingSchema>;

export const AgendaQuerySchema = z.object({ date: z.iso.date().optional() }).strict();
export type AgendaQuery = z.infer<typeof AgendaQuerySchema>;
