import './tracing';
import 'reflect-metadata';
import { createSocialCareAdapter } from './social-care.adapter';

createSocialCareAdapter()
  .then(async (app) => {
    process.stdout.write(`adapter-social-care listening on ${await app.getUrl()}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `adapter-social-care failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
