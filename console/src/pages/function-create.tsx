// Placeholder until this page is built.
import { Later } from "./later";

export function FunctionCreate() {
  return <Later title="New function" text="This page is being built." />;
}
