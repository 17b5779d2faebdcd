import { z } from 'zod';
import { DomainError } from '@mash/common';
import { ZodPipe } from './zod.pipe';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
  }
  throw new Error('expected a DomainError');
}

describe(ZodPipe.name, () => {
  const schema = z
    .object({
      rationale: z.string().min(10),
      outcome: z.enum(['nfa', 'early-help']),
      from: z.iso.datetime({ offset: true }).optional(),
    })
    .strict();

  it('names each field, what was wrong and what is allowed', () => {
    const sut = new ZodPipe(schema);
    const error = refusal(() =>
      sut.transform({ rationale: 'short', outcome: 'jail', from: 'yesterday', extra: 1 }),
    );
    expect(error).toMatchObject({ code: 'REQUEST.INVALID', status: 400 });
    expect(error.message).toContain('rationale is too short: must be at least 10 characters');
    expect(error.message).toContain('outcome must be one of: nfa, early-help');
    expect(error.message).toContain('from must be an ISO 8601 date and time with a zone');
    expect(error.message).toContain('has fields that are not allowed: extra');
    expect(error.details).toEqual({
      issues: expect.arrayContaining([
        { path: 'rationale', code: 'too_small', message: expect.stringContaining('10') },
      ]),
    });
  });

  it('names a route parameter and lists what it may be', () => {
    const sut = new ZodPipe(z.enum(['subject-accesses', 'out-of-hours']), 'name');
    const error = refusal(() => sut.transform('who-looked'));
    expect(error.message).toBe(
      'request failed validation: name must be one of: subject-accesses, out-of-hours',
    );
  });

  it('never repeats the rejected value', () => {
    const sut = new ZodPipe(schema);
    const error = refusal(() =>
      sut.transform({ rationale: 'Jane Doe', outcome: 'Jane Doe', from: 'Jane Doe' }),
    );
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain('Jane');
  });
});
