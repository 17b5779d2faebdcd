/**
 * The part of kafkajs's cluster and broker objects a LeaveGroup needs. kafkajs's admin client has
 * no LeaveGroup (nor Kafka's removeMembersFromConsumerGroup), so this uses what its consumers use:
 * the client's cluster factory, kept under a private symbol, and the coordinator's `leaveGroup`.
 * The lock file holds kafkajs 2.2.4, its last release; should that change, `leaveGroup` says so
 * plainly rather than doing something else.
 */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{
    leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
  }>;
}

const CREATE_CLUSTER = 'private:Kafka:createCluster';

/**
 * Takes `memberId` out of `groupId` at the group's coordinator, through `client` (a kafkajs
 * `Kafka`, or NestJS's view of one), as the member's own stop would (`superviseConsumer` says
 * why). Throws what the coordinator answers, such as `UNKNOWN_MEMBER_ID` (in the error's `type`)
 * when it no longer holds the member. While Kafka cannot be reached it tries within the client's
 * retry settings, then throws; once `signal` aborts (shutdown) it gives up.
 */
export async function leaveGroup(
  client: object,
  groupId: string,
  memberId: string,
  signal?: AbortSignal,
): Promise<void> {
  const factory = Object.getOwnPropertySymbols(client).find(
    (s) => s.description === CREATE_CLUSTER,
  );
  const create = factory && (client as unknown as Record<symbol, unknown>)[factory];
  if (typeof create !== 'function')
    throw new Error('this kafkajs has no cluster factory: a crashed member cannot leave its group');
  const cluster = (create as (options: object) => Cluster)({ allowAutoTopicCreation: false });
  // On shutdown, an attempt still waiting for Kafka is cut short rather than left retrying.
  const abandon = () => void cluster.disconnect().catch(() => undefined);
  signal?.addEventListener('abort', abandon, { once: true });
  try {
    await cluster.connect();
    signal?.throwIfAborted();
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
  } finally {
    signal?.removeEventListener('abort', abandon);
    await cluster.disconnect().catch(() => undefined);
  }
}
