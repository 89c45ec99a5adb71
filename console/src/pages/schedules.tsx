// Placeholder until this page is built.
import { Later } from "./later";

export function Schedules() {
  return <Later title="Schedules" text="This page is being built." />;
}
