// New function in LivePerson's three steps: (1) a template, its code previewed as the choice
// changes, with its event; (2) optionally a domain for the allow-list; (3) name and description,
// the API's rules and refusals shown at the field. POST /lambdas with the template (its code,
// event and sample payload), then the editor opens.
import { useState } from "preact/hooks";
import { Problem } from "../components/problem";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { Link, navigate } from "../lib/router";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { AllowListStep } from "./function-create-allow";
import "./function-create.css";

const STEPS = ["Template", "Allow-list", "Name"] as const;
type FieldErrors = Partial<Record<"name" | "description" | "form", string>>;

/** The API's message names its field ("name: name may contain only…"); it goes next to that field. */
function errorsOf(message: string): FieldErrors {
  const out: FieldErrors = {};
  for (const part of message.split("; ")) {
    const field = /^description\b/i.test(part) ? "description" : /^name\b|\bname\b|named/i.test(part) ? "name" : "form";
    out[field] = out[field] ? `${out[field]}; ${part}` : part;
  }
  return out;
}

export function FunctionCreate() {
  const mayCreate = can(useSession(), "lambda:write");
  // Nothing is loaded for a role that may not create (the page only says so).
  const templates = useApi(() => (mayCreate ? call("get", "/api/account/{accountId}/templates") : Promise.resolve([])), [mayCreate]);
  const events = useApi(() => (mayCreate ? call("get", "/api/account/{accountId}/events") : Promise.resolve([])), [mayCreate]);
  const [step, setStep] = useState(0);
  const [templateId, setTemplateId] = useState("greeting");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [creating, setCreating] = useState(false);

  const list = templates.data ?? [];
  const chosen = list.find((t) => t.templateId === templateId) ?? list[0];
  const eventName = (id: string | null) => (id === null ? "No event: invoked directly, on a schedule or by a bot" : (events.data?.find((e) => e.eventId === id)?.eventName ?? id));

  async function create(e: Event) {
    e.preventDefault();
    if (!chosen) return;
    setCreating(true);
    setErrors({});
    try {
      const f = await call("post", "/api/account/{accountId}/lambdas", { body: { name: name.trim(), description: description.trim(), templateId: chosen.templateId } });
      navigate(`/functions/${encodeURIComponent(f.uuid)}`);
    } catch (err) {
      setErrors(err instanceof ApiError ? errorsOf(err.message) : { form: String(err) });
      setCreating(false);
    }
  }

  if (!mayCreate) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          New function
        </h1>
        <p>Your role may not create functions. A Developer can.</p>
        <Link href="/functions">← Functions</Link>
      </section>
    );
  }

  return (
    <section aria-labelledby="page-title" class="fc">
      <p>
        <Link href="/functions">← Functions</Link>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        New function
      </h1>
      <ol class="fc-steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? "step" : undefined} class={i < step ? "done" : undefined}>
            <span class="fc-num">{i + 1}</span> {s}
          </li>
        ))}
      </ol>
      <h2 class="fc-step-title">
        Step {step + 1} of 3: {["Choose a template", "Allow a domain (optional)", "Name and description"][step]}
      </h2>
      {templates.error && <Problem error={templates.error} what="the templates" />}

      {step === 0 && (
        <div class="fc-templates">
          <fieldset>
            <legend>Template</legend>
            {!templates.data && templates.loading && <p aria-live="polite">Loading…</p>}
            {list.map((t) => (
              <label class="choice fc-template" key={t.templateId}>
                <input type="radio" name="template" value={t.templateId} checked={chosen?.templateId === t.templateId} onChange={() => setTemplateId(t.templateId)} />
                <span>
                  <strong>{t.name}</strong>
                  <span class="desc">{t.eventId === null ? "No event" : `Event: ${eventName(t.eventId)}`}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {chosen && (
            <figure class="fc-preview" aria-live="polite">
              <figcaption>
                <strong>{chosen.name}</strong>: {chosen.description}
                <div class="desc" data-testid="template-event">
                  Event: {eventName(chosen.eventId)}
                </div>
              </figcaption>
              <pre tabIndex={0} aria-label={`Code of the template ${chosen.name}`} data-testid="template-code">
                <code>{chosen.code}</code>
              </pre>
            </figure>
          )}
        </div>
      )}

      {step === 1 && <AllowListStep />}

      {step === 2 && (
        <form id="fc-form" class="fc-form" onSubmit={create} noValidate>
          <p class="note">
            From the template {chosen?.name}: its code, event ({eventName(chosen?.eventId ?? null)}) and sample payload.
          </p>
          <label for="fc-name">Name</label>
          <p id="fc-name-hint" class="note">
            Letters, digits and _ only, at most 50 characters; it cannot be changed later.
          </p>
          <input id="fc-name" value={name} required autocomplete="off" spellcheck={false} aria-invalid={errors.name ? true : undefined} aria-describedby={`fc-name-hint${errors.name ? " fc-name-error" : ""}`} onInput={(e) => setName(e.currentTarget.value)} />
          <p id="fc-name-error" class="error" role={errors.name ? "alert" : undefined}>
            {errors.name ?? ""}
          </p>
          <label for="fc-description">Description</label>
          <textarea id="fc-description" rows={3} value={description} aria-invalid={errors.description ? true : undefined} aria-describedby={errors.description ? "fc-description-error" : undefined} onInput={(e) => setDescription(e.currentTarget.value)} />
          <p id="fc-description-error" class="error" role={errors.description ? "alert" : undefined}>
            {errors.description ?? ""}
          </p>
          {errors.form && (
            <p class="error" role="alert">
              {errors.form}
            </p>
          )}
        </form>
      )}

      <div class="fc-nav">
        {step > 0 && (
          <button type="button" class="secondary" disabled={creating} onClick={() => setStep(step - 1)}>
            Back
          </button>
        )}
        {step < 2 ? (
          <button type="button" disabled={!chosen} onClick={() => setStep(step + 1)}>
            {step === 1 ? "Next (or skip)" : "Next"}
          </button>
        ) : (
          <button type="submit" form="fc-form" disabled={creating}>
            {creating ? "Creating…" : "Create function"}
          </button>
        )}
      </div>
    </section>
  );
}
