// Invocation statuses as the API names them, with the words and colours the console uses.
export const STATUSES = ["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABEL: Record<Status, string> = {
  SUCCEEDED: "Succeeded",
  CODING_FAILURE: "Function failed",
  PLATFORM_FAILURE: "Platform failure",
  TIMEOUT: "Timed out",
};

// CSS custom properties (styles.css), chosen to stay apart for the common colour-vision deficiencies.
export const STATUS_COLOR: Record<Status, string> = {
  SUCCEEDED: "var(--ok)",
  CODING_FAILURE: "var(--warn)",
  PLATFORM_FAILURE: "var(--bad)",
  TIMEOUT: "var(--slow)",
};

export const formatNumber = (n: number) => n.toLocaleString("en-US");

/** "key:ci#3f0c…" or "user:jane@brand.example#…" without the id, which the title attribute keeps. */
export const shortActor = (actor: string) => actor.replace(/#.*$/, "");
