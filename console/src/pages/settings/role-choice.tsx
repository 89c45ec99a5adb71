// The three roles as checkboxes: a user or a key may hold any non-empty set of them (the API
// refuses an empty one; the form says so before sending).
import type { Role } from "../../lib/roles";

export const ROLES: { role: Role; label: string; what: string }[] = [
  { role: "FaaS-Admin", label: "Admin", what: "settings, secrets, users, keys and OAuth clients" },
  { role: "FaaS-Developer", label: "Developer", what: "write, deploy and schedule functions; read logs" },
  { role: "FaaS-Invocation", label: "Invocation", what: "invoke functions and read their lists" },
];

/** "Admin, Developer" for ["FaaS-Admin", "FaaS-Developer"]. */
export const roleNames = (roles: readonly string[]) => roles.map((r) => r.replace("FaaS-", "")).join(", ");

interface Props {
  /** Unique on the page: the ids of the checkboxes start with it. */
  id: string;
  value: Role[];
  onChange: (roles: Role[]) => void;
  legend?: string;
}

export function RoleChoice({ id, value, onChange, legend = "Roles" }: Props) {
  const toggle = (role: Role, on: boolean) => onChange(ROLES.map((r) => r.role).filter((r) => (r === role ? on : value.includes(r))));
  return (
    <fieldset class="access-roles">
      <legend>{legend}</legend>
      {ROLES.map((r) => (
        <label class="choice" key={r.role} for={`${id}-${r.role}`}>
          <input id={`${id}-${r.role}`} type="checkbox" checked={value.includes(r.role)} onChange={(e) => toggle(r.role, e.currentTarget.checked)} />
          <span>
            {r.label} <span class="desc">({r.what})</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
