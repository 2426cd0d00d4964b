// owg-list-paging: a GET whose 200 JSON body is a collection (`items` array) pages with `limit` + `cursor`
// and answers `nextCursor`, unless the operation says in `x-paging-exempt` why its list cannot grow.
export default function listPaging(operation) {
  if (!operation || typeof operation !== 'object') return [];
  const schema = operation.responses?.['200']?.content?.['application/json']?.schema;
  const items = schema?.properties?.items;
  if (!items || items.type !== 'array') return [];
  if (typeof operation['x-paging-exempt'] === 'string' && operation['x-paging-exempt'].length > 0) return [];
  const names = new Set((operation.parameters ?? []).map((p) => p?.name));
  const missing = [
    ...['limit', 'cursor'].filter((n) => !names.has(n)).map((n) => `query parameter \`${n}\``),
    ...(schema.properties?.nextCursor ? [] : ['`nextCursor` in the 200 body']),
  ];
  if (missing.length === 0) return [];
  return [
    {
      message:
        `List operation without paging (missing ${missing.join(', ')}): page it like listAuditEntries ` +
        '(`limit` + `cursor` in, `items` + `nextCursor` out), or add `x-paging-exempt: <why this list cannot grow>`',
    },
  ];
}
