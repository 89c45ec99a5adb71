// Placeholder until this page is built.
import { Later } from "./later";

export function ScheduleEdit(_: { id?: string }) {
  return <Later title="Schedule" text="This page is being built." />;
}
