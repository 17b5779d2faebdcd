import {
  generateCheckpointKeys,
  parsePublicKeys,
  scheduleCheckpoints,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint';

const payload = {
  chainId: 'p-north',
  chainSeq: 42,
  headHash: 'ab'.repeat(32),
  signedAt: '2026-11-26T10:00:00.000Z',
};

describe(signCheckpoint.name, () => {
  const keys = generateCheckpointKeys('k-2026');
  const publicKeys = parsePublicKeys({ keys: [keys.publicJwk] });

  it('produces a compact EdDSA JWS that verifies under the published JWK', () => {
    const sut = signCheckpoint(payload, keys);
    expect(sut.signature.split('.')).toHaveLength(3);
    expect(JSON.parse(Buffer.from(sut.signature.split('.')[0], 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      kid: 'k-2026',
    });
    expect(verifyCheckpointSignature(sut, publicKeys)).toBe(true);
  });

  it('fails for another key, an unknown kid, or edited fields', () => {
    const sut = signCheckpoint(payload, keys);
    expect(
      verifyCheckpointSignature(
        signCheckpoint(payload, generateCheckpointKeys('k-2026')),
        publicKeys,
      ),
    ).toBe(false);
    expect(verifyCheckpointSignature({ ...sut, kid: 'other' }, publicKeys)).toBe(false);
    expect(verifyCheckpointSignature({ ...sut, chainSeq: 41 }, publicKeys)).toBe(false);
    expect(verifyCheckpointSignature({ ...sut, headHash: 'cd'.repeat(32) }, publicKeys)).toBe(
      false,
    );
    expect(verifyCheckpointSignature({ ...sut, signature: `${sut.signature}x` }, publicKeys)).toBe(
      false,
    );
  });
});

describe(scheduleCheckpoints.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('checkpoints every N seconds, never two runs at once, and reports errors', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const errors: unknown[] = [];
    const sut = scheduleCheckpoints(
      {
        checkpointAll: () => {
          calls++;
          if (calls === 2) return Promise.reject(new Error('db down'));
          return new Promise((resolve) => (release = () => resolve([])));
        },
      },
      { everySeconds: 30, onError: (e) => errors.push(e) },
    );
    await jest.advanceTimersByTimeAsync(29_000);
    expect(calls).toBe(0);
    await jest.advanceTimersByTimeAsync(90_000); // first run still pending: no overlap
    expect(calls).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    sut.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(calls).toBe(2);
  });
});
