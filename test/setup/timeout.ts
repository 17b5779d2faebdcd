// Integration tests wait on real Kafka consumers joining groups; the default 5 s is too short.
jest.setTimeout(60_000);
