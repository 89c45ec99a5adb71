// Type helpers over the generated API description (api-types.d.ts): what a call to one
// path + method takes and what its successful answer holds. Hand-written, but no shape in here:
// every field comes from Paths.
import type { Paths } from "./api-types";

export type { Paths, Schemas } from "./api-types";

export type Method = "get" | "post" | "put" | "delete" | "patch";

interface OpShape {
  params: object;
  query: object;
  body: unknown;
  bodyRequired: boolean;
  responses: object;
}

/** The operation at path P and method M. */
export type Op<P extends keyof Paths, M extends keyof Paths[P]> = Paths[P][M] extends OpShape ? Paths[P][M] : never;

/** The account id is filled in from the session when a call leaves it out. */
type ParamsIn<T> = Omit<T, "accountId"> & ("accountId" extends keyof T ? { accountId?: string } : {});

/** What a call takes: path parameters, query, and the JSON body when the route has one. */
export type Input<O extends OpShape> = { query?: O["query"]; headers?: Record<string, string> } & ({} extends ParamsIn<O["params"]>
  ? { params?: ParamsIn<O["params"]> }
  : { params: ParamsIn<O["params"]> }) & ([O["body"]] extends [never]
  ? {}
  : O["bodyRequired"] extends true
    ? { body: O["body"] }
    : { body?: O["body"] });

type SuccessStatus = 200 | 201 | 202 | 204 | 304;

/** The answer's body on success (any of the route's 2xx and 304 answers). */
export type Success<O extends OpShape> = O["responses"][Extract<keyof O["responses"], SuccessStatus>];

export interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}
