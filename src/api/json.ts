import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";

/** An OpenAPI JSON response entry. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** An OpenAPI required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

/**
 * A JSON answer whose body is JSON text already (a function's result, as its isolate wrote it).
 * The cast tells the typed router what c.json would have: any JSON.
 */
export const rawJson = (c: Context, text: string, status: 200) =>
  c.body(text, status, { "content-type": "application/json" }) as unknown as ReturnType<typeof c.json<object, 200>>;
