// The fake LivePerson of test/upstream-server.ts (CSDS, Sentinel, the Messaging Interactions API,
// the file storage) as the toolbelt's tests use it: the platform's CSDS_HOST pointed at it for a
// test file, an account's allow-list opened to it, and what it received.
import { afterAll, beforeAll, expect, inject } from "vitest";
import { call, env, type TestAccount } from "./api";

export const PORT = inject("upstreamPort");
export const UP = `http://127.0.0.1:${PORT}`;

/** Points the platform's CSDS_HOST (a Worker var, read per call) at the fake CSDS for the calling file. */
export function useFakeCsds() {
  const vars = env as unknown as { CSDS_HOST?: string };
  let saved: string | undefined;
  beforeAll(() => {
    saved = vars.CSDS_HOST;
    vars.CSDS_HOST = UP;
  });
  afterAll(() => {
    vars.CSDS_HOST = saved;
  });
}

/**
 * Adds the fake to the account's allow-list under one of its names: 127.0.0.1 (CSDS, Sentinel, the
 * LivePerson APIs) or localhost (the services CSDS places there: agentVep, swift).
 */
export async function allowFake(a: TestAccount, host: "127.0.0.1" | "localhost" = "127.0.0.1") {
  const res = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain: `${host}:${PORT}`, id: -1 } });
  expect(res.status).toBe(201);
}

export interface Hit {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  bodyBase64: string;
}

/** The requests the fake received whose URL contains `text`. */
export const hitsFor = async (text: string) => (await (await fetch(`${UP}/_hits?tag=${encodeURIComponent(text)}`)).json()) as Hit[];
