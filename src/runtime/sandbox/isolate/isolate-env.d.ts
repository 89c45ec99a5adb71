// What a tenant isolate has beyond the Workers types (nodejs_compat's modules, as the isolate's
// modules use them), for the type check of this folder's JavaScript (tsconfig: checkJs).
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}
declare module "node:module" {
  export function createRequire(path: string): (id: string) => any;
}
