import './tracing';
import 'reflect-metadata';
import { createPoliceAdapter } from './police.adapter';

createPoliceAdapter()
  .then(async (app) => {
    process.stdout.write(`adapter-police listening on ${await app.getUrl()}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `adapter-police failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
