/**
 * kafkajs 2.2.4, as `patches/kafkajs+2.2.4.patch` leaves it (applied by `npm ci`'s postinstall and
 * the image build). Unpatched, each connection's request queue re-armed a 1 ms timer for ever with
 * nothing to send (kafkajs issue #1556): an idle adapter took 0.04 of a core. Fails if the patch
 * was not applied.
 */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

// kafkajs's own module, which its types do not describe.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueueClass = require('kafkajs/src/network/requestQueue') as new (
  options: object,
) => RequestQueue;

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined };

describe('kafkajs request queue (patched)', () => {
  let queue: RequestQueue;
  beforeEach(() => {
    queue = new RequestQueueClass({
      maxInFlightRequests: null,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'patch-test',
      broker: '127.0.0.1:9092',
      logger: silent,
    });
  });
  afterEach(() => queue.destroy());

  it('schedules no check with nothing pending and no throttle', () => {
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check for a request waiting in the queue', () => {
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  it('still schedules a check for the end of a throttle', () => {
    queue.throttledUntil = Date.now() + 1_000;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });
});
