/**
 * Validates asyncapi.yaml with the AsyncAPI parser (schema, references into openapi.yaml, its rules): fails on
 * any error, prints warnings. Run by `npm run check`.
 */
import { Parser, fromFile } from '@asyncapi/parser';

const FILE = new URL('../asyncapi.yaml', import.meta.url).pathname;
const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

const { document, diagnostics } = await fromFile(new Parser(), FILE).parse();
const shown = diagnostics.filter((d) => d.severity <= 1);
for (const d of shown) console.error(`asyncapi.yaml ${SEVERITY[d.severity]} ${d.code}: ${d.message} at ${d.path.join('.') || '/'}`);
if (!document || shown.some((d) => d.severity === 0)) {
  console.error('asyncapi.yaml is not a valid AsyncAPI document');
  process.exit(1);
}
console.log(`asyncapi.yaml is valid (${document.channels().length} channel, ${document.messages().length} messages)`);
