// Settings › Users (FaaS-Admin): the people who sign in to the account. Add one with a password or a
// one-time invitation (its token shown once), change roles, end sessions, issue a new invitation
// (a forgotten password), delete. Every change is checked by the API, whose refusals (the last
// Admin, a taken login name, a short password) are shown where the change was asked.
import { useState } from "preact/hooks";
import type { Schemas } from "../../../../cli/lib/client-types";
import { Problem } from "../../components/problem";
import { call } from "../../lib/api";
import { getSession } from "../../lib/session";
import { useApi } from "../../lib/use-api";
import "./access.css";
import { ConfirmDialog } from "./confirm-dialog";
import { OneTimeSecret } from "./one-time-secret";
import { roleNames } from "./role-choice";
import { UserCreate } from "./user-create";
import { UserRoles } from "./user-roles";
import { WhenBy } from "../../components/when-by";

type User = Schemas["User"];
type Dialog =
  | { kind: "roles" | "sessions" | "delete" | "reinvite"; user: User }
  | { kind: "invitation"; loginName: string; invitation: Schemas["Invitation"] };

const when = (iso: string) => new Date(iso).toLocaleString();

function State({ user }: { user: User }) {
  if (user.status === "active") return <span class="badge productive">Active</span>;
  const expires = user.invitationExpiresAt;
  const live = expires && Date.parse(expires) > Date.now();
  return (
    <>
      <span class="badge modified">Invited</span>
      <div class="desc">{live ? <>invitation until {when(expires)}</> : "invitation expired"}</div>
    </>
  );
}

export function Users() {
  const [reload, setReload] = useState(0);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState("");
  const list = useApi(() => call("get", "/api/account/{accountId}/users"), [reload]);
  const me = getSession();
  const refresh = (message: string) => {
    setNotice(message);
    setReload((n) => n + 1);
  };
  const close = () => setDialog(null);
  const isMe = (u: User) => me?.kind === "user" && me.name === u.loginName;
  // Ending one's own sessions (a role change, a delete) ends this console's too: say it first.
  const selfNote = (u: User) => isMe(u) && <p class="access-warning">This is you: the console will sign you out.</p>;

  return (
    <section aria-labelledby="tab-title" class="access">
      <h2 id="tab-title">Users</h2>
      <p class="note">People who sign in to this account with a login name and a password. Machines use API keys or OAuth clients.</p>
      <p class="access-notice" role="status">
        {notice}
      </p>
      {list.error && <Problem error={list.error} what="the users" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && (
        <div class="table-wrap">
          <table class="access-table" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Login name</th>
                <th scope="col">Roles</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <th scope="row">
                    {u.loginName}
                    {isMe(u) && <span class="desc"> (you)</span>}
                  </th>
                  <td data-label="Roles">{roleNames(u.roles)}</td>
                  <td data-label="State">
                    <State user={u} />
                  </td>
                  <td data-label="Created">
                    <WhenBy at={u.createdAt} by={u.createdBy} dateOnly />
                  </td>
                  <td>
                    <div class="access-row-actions" role="group" aria-label={`Actions for ${u.loginName}`}>
                      <button type="button" class="secondary" onClick={() => setDialog({ kind: "roles", user: u })}>
                        Change roles<span class="sr-only"> of {u.loginName}</span>
                      </button>
                      {u.status === "active" && (
                        <button type="button" class="secondary" onClick={() => setDialog({ kind: "sessions", user: u })}>
                          End sessions<span class="sr-only"> of {u.loginName}</span>
                        </button>
                      )}
                      <button type="button" class="secondary" onClick={() => setDialog({ kind: "reinvite", user: u })}>
                        New invitation<span class="sr-only"> for {u.loginName}</span>
                      </button>
                      <button type="button" class="secondary danger-text" onClick={() => setDialog({ kind: "delete", user: u })}>
                        Delete<span class="sr-only"> {u.loginName}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <UserCreate
        onCreated={(u) => {
          refresh(`${u.loginName} was added${u.invitation ? " and invited" : ""}.`);
          if (u.invitation) setDialog({ kind: "invitation", loginName: u.loginName, invitation: u.invitation });
        }}
      />

      {dialog?.kind === "roles" && (
        <UserRoles
          user={dialog.user}
          note={selfNote(dialog.user)}
          onClose={close}
          onSaved={(u) => {
            close();
            refresh(`The roles of ${u.loginName} are now ${roleNames(u.roles)}; their sessions ended.`);
          }}
        />
      )}
      {dialog?.kind === "sessions" && (
        <ConfirmDialog
          title={`End the sessions of ${dialog.user.loginName}?`}
          action="End every session"
          busy="Ending…"
          onClose={close}
          onConfirm={async () => {
            await call("delete", "/api/account/{accountId}/users/{id}/sessions", { params: { id: dialog.user.id } });
            refresh(`Every session of ${dialog.user.loginName} ended.`);
          }}
        >
          <p>They are signed out everywhere at once (the console, lpf) and sign in again with their password.</p>
          {selfNote(dialog.user)}
        </ConfirmDialog>
      )}
      {dialog?.kind === "reinvite" && (
        <ConfirmDialog
          title={`A new invitation for ${dialog.user.loginName}?`}
          action="Make the invitation"
          busy="Making…"
          onClose={close}
          onConfirm={async () => {
            const invitation = await call("post", "/api/account/{accountId}/users/{id}/invitation", { params: { id: dialog.user.id } });
            refresh(`A new invitation for ${dialog.user.loginName} was made.`);
            setDialog({ kind: "invitation", loginName: dialog.user.loginName, invitation });
            return false; // this dialog is replaced by the one that shows the token

          }}
        >
          <p>For a forgotten password: the person sets a new one with it. An earlier invitation stops working.</p>
        </ConfirmDialog>
      )}
      {dialog?.kind === "delete" && (
        <ConfirmDialog
          title={`Delete ${dialog.user.loginName}?`}
          action="Delete the user"
          busy="Deleting…"
          onClose={close}
          onConfirm={async () => {
            await call("delete", "/api/account/{accountId}/users/{id}", { params: { id: dialog.user.id } });
            refresh(`${dialog.user.loginName} was deleted.`);
          }}
        >
          <p>Their sessions end at once and they can no longer sign in. This cannot be undone.</p>
          {selfNote(dialog.user)}
        </ConfirmDialog>
      )}
      {dialog?.kind === "invitation" && (
        <OneTimeSecret title={`Invitation for ${dialog.loginName}`} fields={[{ label: "Invitation token", value: dialog.invitation.token }]} onClose={close}>
          <p class="note">
            Give it to {dialog.loginName} over a trusted channel, before {when(dialog.invitation.expiresAt)}. It works once: they open{" "}
            <code>{location.origin}/invitation</code> (or “Set your password with the invitation” on the sign-in page), enter account {getSession()?.accountId} and the token, and
            choose their password.
          </p>
        </OneTimeSecret>
      )}
    </section>
  );
}
