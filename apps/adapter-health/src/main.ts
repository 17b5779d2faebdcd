import './tracing';
import 'reflect-metadata';
import { createHealthAdapter } from './health.adapter';

createHealthAdapter()
  .then(async (app) => {
    process.stdout.write(`adapter-health listening on ${await app.getUrl()}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `adapter-health failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
