// Access tokens of the OAuth2 client_credentials flow: HS256 JWTs signed with the JWT_SIGNING_KEY
// secret, shaped like LivePerson Sentinel's app JWTs ({aud: account, azp: client id, scope, iss,
// iat, exp}) so LivePerson's client can decode them. The gateway verifies them (api/invoke.ts).
import { sign, verify } from "hono/jwt";
import { INVOKE_SCOPE } from "./oauth-clients";

/** Lifetime of an access token, in seconds. */
export const TOKEN_TTL_SECONDS = 3600;
const ALG = "HS256";
const MAX_TOKEN_LENGTH = 4096;

export interface TokenClaims {
  aud: string;
  azp: string;
  scope: string;
  iss: string;
  iat: number;
  exp: number;
  jti: string;
}

/** The claims a verified token vouches for. */
export interface TokenSubject {
  accountId: string;
  clientId: string;
}

export async function issueToken(signingKey: string, input: { accountId: string; clientId: string; issuer: string }, nowMs = Date.now()) {
  const iat = Math.floor(nowMs / 1000);
  const claims: TokenClaims = {
    aud: input.accountId,
    azp: input.clientId,
    scope: INVOKE_SCOPE,
    iss: input.issuer,
    iat,
    exp: iat + TOKEN_TTL_SECONDS,
    jti: crypto.randomUUID(),
  };
  return { accessToken: await sign({ ...claims }, signingKey, ALG), claims };
}

/** Cheap shape check (three base64url segments), so API keys and JWTs never take each other's path. */
export const looksLikeJwt = (token: string) => token.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

/**
 * The account and client a token was issued for, or null when it is malformed, signed with another
 * key or algorithm (only HS256 with JWT_SIGNING_KEY passes), expired, not yet valid, without an
 * expiry, or without the invoke scope. `iss` is not checked: the signature already proves the token
 * is this deployment's, whatever host name the caller used to reach it.
 */
export async function verifyToken(signingKey: string | undefined, token: string): Promise<TokenSubject | null> {
  if (!signingKey || !looksLikeJwt(token)) return null;
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, signingKey, { alg: ALG, exp: true, nbf: true, iat: true });
  } catch {
    return null;
  }
  const { aud, azp, scope, exp } = payload;
  if (typeof aud !== "string" || typeof azp !== "string" || typeof exp !== "number") return null;
  if (typeof scope !== "string" || !scope.split(" ").includes(INVOKE_SCOPE)) return null;
  return { accountId: aud, clientId: azp };
}
