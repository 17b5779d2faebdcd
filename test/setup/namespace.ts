/**
 * Tests run in their own Kafka topic namespace (`mash-test.*`, consumer groups `mash-test.*`), so
 * messages they leave on a shared Kafka never reach the federation `npm start` runs (issue 19:
 * hundreds of `agency.event.refused` at the first start after a test run), and the reverse.
 * Runs before each test file loads `@mash/contracts`; child processes inherit it.
 */
process.env.KAFKA_TOPIC_NAMESPACE ??= 'mash-test';
