// Placeholder until this page is built.
import { Later } from "./later";

export function Simulator(_: { uuid: string }) {
  return <Later title="Conversation simulator" text="This page is being built." />;
}
