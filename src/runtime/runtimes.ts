// The runtimes a function can choose. Brand code runs in workerd with nodejs_compat, which offers
// the Node 22 APIs that Workers supports; the name keeps LivePerson's "Node.js <major>" form because
// LivePerson's CLI compares that major with the local Node.
export const COMPATIBILITY_DATE = "2026-10-01";
export const COMPATIBILITY_FLAGS = ["nodejs_compat"];

export const RUNTIMES = [
  {
    uuid: "8e3b1c7e-5a55-4c1e-9d8a-2f0c6a1b7d22",
    name: "Node.js 22",
    baseImageName: `edgefn-workerd-${COMPATIBILITY_DATE}`,
  },
] as const;

export const DEFAULT_RUNTIME = RUNTIMES[0];

export function findRuntime(uuid: string | undefined | null) {
  if (!uuid) return DEFAULT_RUNTIME;
  return RUNTIMES.find((r) => r.uuid === uuid);
}
