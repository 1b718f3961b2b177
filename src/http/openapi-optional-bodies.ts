// zod describes a body that may be left out as `schema.nullish()`, which the OpenAPI generator
// renders as a required body of "object or null". Clients read that as "send something": an
// optional body is really `requestBody.required: false` with the object schema alone.
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

export function markOptionalBodies<T>(document: T): T {
  const paths = isObject(document) && isObject(document.paths) ? document.paths : {};
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      const body = isObject(operation) ? operation.requestBody : undefined;
      if (!isObject(body) || !isObject(body.content)) continue;
      for (const media of Object.values(body.content)) {
        if (!isObject(media) || !isObject(media.schema) || !Array.isArray(media.schema.anyOf)) continue;
        const variants = media.schema.anyOf.filter((v: unknown) => !(isObject(v) && v.type === "null"));
        if (variants.length === media.schema.anyOf.length || variants.length !== 1) continue;
        media.schema = variants[0];
        body.required = false;
      }
    }
  }
  return document;
}
