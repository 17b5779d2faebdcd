import './tracing';
import 'reflect-metadata';
import { createBrokerApp } from './app';

createBrokerApp()
  .then(async ({ app }) => {
    process.stdout.write(`broker listening on ${await app.getUrl()}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
