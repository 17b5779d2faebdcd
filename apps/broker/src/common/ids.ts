import { z } from 'zod';
import { ZodPipe } from './zod.pipe';

/** Every broker id (case, query, agreement, member) is a UUID. */
export const UuidSchema = z.uuid();

/** Validates a `:id`-style route parameter as a UUID (400 otherwise). */
export const uuidParam = new ZodPipe(UuidSchema);
