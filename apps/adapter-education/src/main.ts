import './tracing';
import 'reflect-metadata';
import { createEducationAdapter } from './education.adapter';

createEducationAdapter()
  .then(async (app) => {
    process.stdout.write(`adapter-education listening on ${await app.getUrl()}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `adapter-education failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
