// Placeholder until this page is built.
import { Later } from "./later";

export function FunctionTest(_: { uuid: string }) {
  return <Later title="Test" text="This page is being built." />;
}
