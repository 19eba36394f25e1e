// The JSON Schema of the report (docs/report.schema.json), generated from the CheckReport type
// in src/model/report.ts. `node scripts/report-schema.mjs` (and `npm run build`) writes it; a
// unit test checks that the committed file is what the types give today.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMA_FILE = fileURLToPath(new URL('../docs/report.schema.json', import.meta.url));

/** The schema as JSON text, formatted as committed. */
export function reportSchemaText() {
  const generator = createGenerator({
    path: `${root}/src/model/report.ts`,
    tsconfig: `${root}/tsconfig.json`,
    type: 'CheckReport',
    // A newer deploy-check adds fields (the contract: add freely, rename none); an older
    // reader must still accept its report.
    additionalProperties: true,
    skipTypeCheck: true,
    jsDoc: 'extended',
  });
  const schema = generator.createSchema('CheckReport');
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, reportSchemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
