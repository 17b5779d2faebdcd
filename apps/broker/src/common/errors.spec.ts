import { DomainError, NotFoundError } from '@mash/common';
import { AgreementInvalidError } from '@mash/policy';
import { NoMatrixError, UnknownConcernError } from '@mash/thresholds';
import { answerFor, brokerError, ERROR_STATUS } from './errors';

describe(answerFor.name, () => {
  it('answers a catalogued code with the status of the catalogue', () => {
    expect(answerFor(brokerError('CASE.NOT_OPEN', 'the case is closed', { at: 1 }))).toEqual({
      status: ERROR_STATUS['CASE.NOT_OPEN'],
      code: 'CASE.NOT_OPEN',
      message: 'the case is closed',
      details: { at: 1 },
    });
    // The catalogue wins over a status given at the call site.
    expect(answerFor(new DomainError('QUERY.OVERLOADED', 'busy', 400))?.status).toBe(503);
  });

  it('keeps the own status of a domain error the catalogue does not name', () => {
    expect(answerFor(new NotFoundError('case'))).toMatchObject({
      status: 404,
      code: 'CASE.NOT_FOUND',
    });
  });

  it("answers the libraries' errors by their codes, with what they list", () => {
    expect(answerFor(new NoMatrixError('demo'))).toMatchObject({
      status: 422,
      code: 'THRESHOLD.NO_MATRIX',
    });
    expect(answerFor(new UnknownConcernError(['nope'], ['neglect']))).toMatchObject({
      status: 400,
      code: 'THRESHOLD.UNKNOWN_CONCERN',
      details: { field: 'concerns', unknown: ['nope'], validCodes: ['neglect'] },
    });
    const problems = [{ file: 'a.yaml', field: 'agency', reason: 'required' }];
    expect(answerFor(new AgreementInvalidError(problems))).toEqual({
      status: 400,
      code: 'POLICY.AGREEMENT_INVALID',
      message: 'Invalid data-sharing agreement (1 problem):',
      details: { problems },
    });
  });

  it("leaves a driver's coded error, or an uncoded one, to be an internal error", () => {
    expect(answerFor(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(
      answerFor(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(answerFor(new Error('boom'))).toBeUndefined();
    expect(answerFor({ code: 'CASE.NOT_OPEN' })).toBeUndefined();
  });
});
