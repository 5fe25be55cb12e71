/** Regenerates .env.example and the README's configuration table from the schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withReadmeTable } from '../server/src/config/docs.ts';

writeFileSync('.env.example', renderEnvExample());
writeFileSync('README.md', withReadmeTable(readFileSync('README.md', 'utf8')));
console.log('wrote .env.example and the README configuration table');
