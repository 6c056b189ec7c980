/*
 * The small part of JSON Schema (draft 2020-12) that purview's schemas use, as a type, and the
 * helpers that build its nodes. Plain data only: a schema is written out with JSON.stringify.
 */

/** A JSON Schema node (the keywords purview's schemas use). */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly title?: string;
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | readonly ('object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null')[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  readonly properties?: Readonly<Record<string, JsonSchema | boolean>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly dependentSchemas?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly not?: JsonSchema | boolean;
}

/** A reference to a definition of the same schema. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });

/** One of a fixed list of strings. */
export const oneOfWords = (words: readonly string[], description?: string): JsonSchema => ({ type: 'string', enum: [...words], ...(description === undefined ? {} : { description }) });

/** A list of `item`. */
export const listOf = (item: JsonSchema, extra: Omit<JsonSchema, 'type' | 'items'> = {}): JsonSchema => ({ type: 'array', items: item, ...extra });

/**
 * An object with exactly the fields of `fields` (each field's schema from `shapes`, which must
 * have an entry for every field and no other: TypeScript checks it) and no others.
 */
export function exactObject<F extends string>(fields: readonly F[], shapes: { readonly [K in F]: JsonSchema }, required: readonly F[], description: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f] = shapes[f];
  return { type: 'object', description, properties, ...(required.length === 0 ? {} : { required: [...required] }), additionalProperties: false };
}
