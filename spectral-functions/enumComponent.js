// owg-enum-varnames: an enum component that SDK generators can name well (Swift, Kotlin, Dart, TypeScript).
const IDENTIFIER = /^[a-z][a-zA-Z0-9]*$/;

export default function enumComponent(schema, _options, context) {
  if (!schema || !Array.isArray(schema.enum)) return [];
  const problems = [];
  const say = (message, path = []) => problems.push({ message, path: [...context.path, ...path] });
  const values = schema.enum;
  // OpenAPI 3.0.3 spells a nullable enum with `null` among its values and `nullable: true` beside them.
  if (values.includes(null) && schema.nullable !== true) say('`null` in an enum needs `nullable: true` beside it', ['enum']);
  if (values.length < 2) return problems;
  // A parameter's enum is described by its parameter; a component by itself.
  if (context.path[0] === 'components' && context.path[1] === 'schemas' && typeof schema.description !== 'string')
    say('An enum component needs a `description` (what the values mean together)');
  const names = schema['x-enum-varnames'];
  if (!Array.isArray(names) || names.length !== values.length)
    say(
      `Needs \`x-enum-varnames\` with ${values.length} lowerCamelCase names, one per \`enum\` value in the same order (SDK constant names)`,
    );
  else {
    names.forEach((name, i) => {
      if (typeof name !== 'string' || !IDENTIFIER.test(name))
        say(`\`x-enum-varnames\` entry ${JSON.stringify(name)} must be a lowerCamelCase identifier (^[a-z][a-zA-Z0-9]*$)`, [
          'x-enum-varnames',
          i,
        ]);
    });
    if (new Set(names).size !== names.length) say('`x-enum-varnames` entries must be unique', ['x-enum-varnames']);
  }
  const descriptions = schema['x-enum-descriptions'];
  if (!Array.isArray(descriptions) || descriptions.length !== values.length || descriptions.some((d) => typeof d !== 'string' || d === ''))
    say(
      `Needs \`x-enum-descriptions\` with ${values.length} non-empty strings, one per \`enum\` value in the same order (SDK doc comments)`,
    );
  return problems;
}
