// Placeholder until this page is built.
import { Later } from "./later";

export function Deployments() {
  return <Later title="Deployments" text="This page is being built." />;
}
