// The shape of platform.js, for the type checks of main.js and toolbelt.js.
export interface Platform {
  callToolbelt(method: string, args: unknown[]): Promise<unknown>;
  noteSecret(key: unknown, value: unknown): void;
  accountId(): string | null;
}
