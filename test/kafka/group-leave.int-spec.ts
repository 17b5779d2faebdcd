/**
 * `leaveGroup` against the real Kafka: a member that vanished without leaving (its connections cut,
 * as a consumer that crashed during an outage) holds up the next member's join until its session
 * expires; taking it out of the group lets the join through at once. This is what makes consumers
 * that crashed during a Kafka restart fetch again without waiting out the session timeout
 * (`superviseConsumer`).
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Consumer, type ISocketFactory } from 'kafkajs';
import { RestartingServerKafka, leaveGroup } from '@mash/common';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
/** The vanished member's session: far longer than the test waits, so only a leave explains a join. */
const HELD_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client whose connections can be cut, and later ones refused, as if its process were gone;
 * it does not try again.
 */
function severable(clientId: string) {
  const sockets = new Set<Socket>();
  let severed = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    // Port 1 refuses: once severed, the client can neither heartbeat nor leave.
    const socket = severed
      ? connect({ host: '127.0.0.1', port: 1 })
      : connect({ host, port }, onConnect);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const sever = () => {
    severed = true;
    for (const socket of sockets) socket.destroy();
  };
  const client = new Kafka({
    clientId,
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    socketFactory,
  });
  return { client, sever };
}

/** Resolves with the member id of the consumer's next join. */
const joined = (consumer: Consumer) =>
  new Promise<string>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, (event) => {
      off();
      resolve(event.payload.memberId);
    });
  });

describe('leaveGroup', () => {
  const topic = `mash-test.group-leave.${randomUUID().slice(0, 8)}`;
  const groupId = `${topic}.group`;
  const client = new Kafka({
    clientId: 'group-leave-test',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    // The vanished member's disconnect can only fail: it is not waited for beyond a moment.
    const disconnect = (c: Consumer) =>
      Promise.race([c.disconnect().catch(() => undefined), sleep(2_000)]);
    await Promise.all(consumers.map(disconnect));
    const admin = client.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const member = async (kafka: Kafka, settings: { sessionTimeout: number }, group = groupId) => {
    const consumer = kafka.consumer({
      groupId: group,
      ...settings,
      rebalanceTimeout: settings.sessionTimeout,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
      // The vanished member must stay vanished: no restart after its crash.
      retry: { retries: 0, restartOnFailure: () => Promise.resolve(false) },
    });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const memberId = joined(consumer);
    // run() resolves only once the first join is through: not awaited, so a held join can be seen.
    void consumer.run({ eachMessage: async () => undefined }).catch(() => undefined);
    return { consumer, memberId };
  };

  it('lets a new member join at once instead of after the vanished one’s session', async () => {
    const cut = severable('group-leave-vanishing');
    const old = await member(cut.client, { sessionTimeout: HELD_MS });
    const oldId = await old.memberId;
    cut.sever();

    let newJoinedAt: number | undefined;
    const next = await member(client, { sessionTimeout: 10_000 });
    void next.memberId.then(() => (newJoinedAt = Date.now()));

    // The control: the coordinator still names the old member, so the new one waits.
    await sleep(4_000);
    expect(newJoinedAt).toBeUndefined();

    const leftAt = Date.now();
    await leaveGroup(client, groupId, oldId);
    const newId = await next.memberId;
    expect(newId).not.toBe(oldId);
    // Far below the old member's 60 s session: the leave, not an expiry, let the join through.
    expect(newJoinedAt! - leftAt).toBeLessThan(HELD_MS / 3);

    // Leaving again, the coordinator no longer holds the member: it says so with a stable type.
    await expect(leaveGroup(client, groupId, oldId)).rejects.toMatchObject({
      type: 'UNKNOWN_MEMBER_ID',
    });
  }, 60_000);

  it('lets an instance started again take its killed predecessor’s place at once', async () => {
    // The same instance (one client id) killed without leaving, then started again as the
    // broker's and the adapters' Kafka transport starts it.
    const clientId = `${topic}.instance`;
    const group = `${topic}.instance-group`;
    const cut = severable(clientId);
    await (
      await member(cut.client, { sessionTimeout: HELD_MS }, group)
    ).memberId;
    cut.sever();

    const server = new RestartingServerKafka({
      client: { clientId, brokers: BROKERS, logLevel: logLevel.NOTHING },
      consumer: {
        groupId: group,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 500,
      },
      postfixId: '',
      subscribe: { fromBeginning: true },
      parser: { keepBinary: true },
    });
    server.addHandler(topic, () => Promise.resolve(undefined), true);
    const startedAt = Date.now();
    try {
      // listen() calls back once the consumer's first join is through.
      await new Promise<void>((resolve, reject) =>
        server.listen((error?: unknown) => (error ? reject(error as Error) : resolve())),
      );
      // Far below the killed run's 60 s session: its member was taken out, not waited out.
      expect(Date.now() - startedAt).toBeLessThan(HELD_MS / 3);
    } finally {
      await server.close();
    }
  }, 60_000);
});
