// The image's entry point: `node run.js [app] [args]` starts one of the compiled apps, named by
// the first argument or else by APP: broker, adapter-police, adapter-health, adapter-education,
// adapter-social-care, or an operator's tool: keys (`npm run keys`), audit (`npm run audit`),
// token (development tokens). One image serves every app.
//
// Secrets may be mounted as files rather than set in the environment: for each variable below,
// NAME_FILE names a file whose contents (less a trailing newline) become NAME, unless NAME is set.
// Docker secrets and Kubernetes Secret volumes both work this way, and the values then stay out
// of `docker inspect` and the pod spec. (Variables such as KAFKA_SSL_CA_FILE and
// AUDIT_CHECKPOINT_FILE already name files and are not touched.)
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const APPS = {
  broker: 'apps/broker/src/main.js',
  'adapter-police': 'apps/adapter-police/src/main.js',
  'adapter-health': 'apps/adapter-health/src/main.js',
  'adapter-education': 'apps/adapter-education/src/main.js',
  'adapter-social-care': 'apps/adapter-social-care/src/main.js',
  keys: 'scripts/keys.js',
  audit: 'scripts/audit.js',
  token: 'scripts/token.js',
};
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'SOURCE_DATABASE_URL',
  'POLICE_DATABASE_URL',
  'HEALTH_DATABASE_URL',
  'EDUCATION_DATABASE_URL',
  'SOCIAL_CARE_DATABASE_URL',
  'KAFKA_SASL_PASSWORD',
];

const app = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv.splice(2, 1)[0] : process.env.APP;
if (!app || !Object.hasOwn(APPS, app)) {
  process.stderr.write(`run.js: name an app (argument or APP): one of ${Object.keys(APPS).join(', ')}\n`);
  process.exit(2);
}
for (const name of SECRET_VARIABLES) {
  const file = process.env[`${name}_FILE`];
  if (!file || process.env[name]) continue;
  try {
    process.env[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    process.stderr.write(`run.js: cannot read ${name}_FILE (${file}): ${error.code ?? error.message}\n`);
    process.exit(2);
  }
}
// Run it as the main module (argv[1]), as `node <file>` would: the tools only act when
// `require.main === module`.
process.argv[1] = join(__dirname, 'dist', APPS[app]);
require('node:module').runMain();
