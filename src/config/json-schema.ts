// A small validator for the subset of JSON Schema (2020-12) that schema/targets.schema.json uses.
// Why not Ajv: it compiles schemas at run time and costs tens of milliseconds of start-up in a
// process that runs once per message. The shipped schema stays the single source of truth: this
// interprets it, and refuses any keyword it does not implement instead of silently ignoring it.

export interface SchemaError {
  /** Where, as a JSON path: "targets[1].path"; "" is the top level. */
  readonly path: string;
  readonly message: string;
}

type Schema = Readonly<Record<string, unknown>>;

/** JSON path length past which a value is refused unread (see check()). */
const MAX_DEPTH = 64;

/** Keywords that only document; editors show them, validation ignores them. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'examples',
  'x-message',
  '$comment',
  '$defs',
]);
const ASSERTIONS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'anyOf',
  'enum',
  '$ref',
]);

/** Errors of `value` against `schema`; `root` holds the $defs that "$ref"s point into. */
export function validate(schema: Schema, value: unknown, root: Schema = schema): SchemaError[] {
  const errors: SchemaError[] = [];
  check(root, schema, value, [], errors);
  return errors;
}

function check(
  root: Schema,
  schema: Schema,
  value: unknown,
  at: readonly (string | number)[],
  out: SchemaError[],
): void {
  refuseUnimplemented(schema);
  const fail = (message: string): void => void out.push({ path: formatPath(at), message });
  // "$ref"s make the schema recursive (routing rules): a hostile config nested thousands of
  // levels deep must be a problem with a path, not a stack overflow. Real configs use < 20.
  if (at.length > MAX_DEPTH) {
    fail(`nests deeper than ${MAX_DEPTH} levels`);
    return;
  }

  if (typeof schema.$ref === 'string') {
    check(root, resolveRef(root, schema.$ref), value, at, out);
    return;
  }
  if (Array.isArray(schema.anyOf)) {
    const fits = (schema.anyOf as Schema[]).some((option) => {
      const errors: SchemaError[] = [];
      check(root, option, value, at, errors);
      return errors.length === 0;
    });
    if (!fits)
      fail(
        typeof schema['x-message'] === 'string'
          ? `must be ${schema['x-message']}`
          : 'does not match any allowed form',
      );
    return;
  }
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
    fail(`must be ${TYPE_WORDS[schema.type] ?? schema.type}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    fail(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'string') checkString(schema, value, fail);
  if (typeof value === 'number') checkNumber(schema, value, fail);
  if (Array.isArray(value)) checkArray(root, schema, value, at, out, fail);
  else if (typeof value === 'object' && value !== null)
    checkObject(root, schema, value as Record<string, unknown>, at, out);
}

/** A local reference, "#/$defs/NAME": the only form the shipped schema uses. */
function resolveRef(root: Schema, ref: string): Schema {
  const name = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref)?.[1];
  const defs = root.$defs as Record<string, Schema> | undefined;
  const target =
    name === undefined || defs === undefined || !Object.hasOwn(defs, name) ? undefined : defs[name];
  if (target === undefined) throw new Error(`json-schema: "$ref": "${ref}" is not implemented`);
  return target;
}

function checkString(schema: Schema, value: string, fail: (m: string) => void): void {
  // JSON Schema counts code points (RFC 8259 characters), which is what the spread yields.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) {
    fail(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
  } else if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
    fail(`must be at most ${schema.maxLength} characters`);
  } else if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    fail(
      typeof schema['x-message'] === 'string'
        ? `must be ${schema['x-message']}`
        : `must match ${schema.pattern}`,
    );
  }
}

function checkNumber(schema: Schema, value: number, fail: (m: string) => void): void {
  if (typeof schema.minimum === 'number' && value < schema.minimum)
    fail(`must be at least ${schema.minimum}`);
  if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`must be at most ${schema.maximum}`);
}

function checkArray(
  root: Schema,
  schema: Schema,
  value: readonly unknown[],
  at: readonly (string | number)[],
  out: SchemaError[],
  fail: (m: string) => void,
): void {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    fail(schema.minItems === 1 ? 'must not be empty' : `must have at least ${schema.minItems} entries`);
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
    fail(`must have at most ${schema.maxItems} entries`);
  if (typeof schema.items === 'object' && schema.items !== null) {
    value.forEach((item, index) => check(root, schema.items as Schema, item, [...at, index], out));
  }
}

function checkObject(
  root: Schema,
  schema: Schema,
  value: Record<string, unknown>,
  at: readonly (string | number)[],
  out: SchemaError[],
): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required ?? []) as string[]) {
    if (!Object.hasOwn(value, key)) out.push({ path: formatPath([...at, key]), message: 'required' });
  }
  for (const [key, item] of Object.entries(value)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property !== undefined) check(root, property, item, [...at, key], out);
    else if (schema.additionalProperties === false) {
      out.push({
        path: formatPath([...at, key]),
        message: `unknown key (known: ${Object.keys(properties).join(', ')})`,
      });
    }
  }
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

/** Throws on any keyword, or form of a keyword, that this validator does not check. */
function refuseUnimplemented(schema: Schema): void {
  const unsupported = (what: string): never => {
    throw new Error(`json-schema: ${what} is not implemented`);
  };
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) unsupported(`keyword "${keyword}"`);
  }
  if ('type' in schema && typeof schema.type !== 'string') unsupported('a "type" other than one name');
  if ('additionalProperties' in schema && schema.additionalProperties !== false) {
    unsupported('"additionalProperties" other than false');
  }
  for (const alone of ['anyOf', '$ref']) {
    if (alone in schema && Object.keys(schema).some((k) => k !== alone && ASSERTIONS.has(k))) {
      unsupported(`"${alone}" beside other assertions`);
    }
  }
}

/** ["targets", 1, "path"] → "targets[1].path"; odd keys are quoted: targets[0]["a b"]. */
export function formatPath(at: readonly (string | number)[]): string {
  let text = '';
  for (const part of at) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}
