// Imported first by main.ts: the SDK must patch `http` and `pg` before anything loads them.
import { startTracing } from '@mash/tracing';

startTracing('broker');
