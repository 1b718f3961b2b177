// zod describes a body that may be left out as `schema.nullish()`, which the OpenAPI generator
// renders as a required body of "object or null". Clients read that as "send something": an
// optional body is really `requestBody.required: false` with the object schema alone.
import { isRecord } from "../json-record.ts";

export function markOptionalBodies<T>(document: T): T {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue;
    for (const operation of Object.values(item)) {
      const body = isRecord(operation) ? operation.requestBody : undefined;
      if (!isRecord(body) || !isRecord(body.content)) continue;
      for (const media of Object.values(body.content)) {
        if (!isRecord(media) || !isRecord(media.schema) || !Array.isArray(media.schema.anyOf)) continue;
        const variants = media.schema.anyOf.filter((v: unknown) => !(isRecord(v) && v.type === "null"));
        if (variants.length === media.schema.anyOf.length || variants.length !== 1) continue;
        media.schema = variants[0];
        body.required = false;
      }
    }
  }
  return document;
}
