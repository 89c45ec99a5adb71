// LivePerson Functions' event catalogue (../shared/reference/liveperson-functions.md §8.1), ids
// exactly as published. Left out: "Messaging Consumer Step Up" (its id is not published, not even in
// the client's enums), "No Event" (not an event: a function without one has eventId null) and the old
// Java client's `crm_widget` (not in the catalogue table).

export interface CatalogueEvent {
  eventId: string;
  eventName: string;
  source: string;
  /** How many functions of an account may be bound to this event. */
  functionLimit: number;
  /** Whether functions of this event are selected by skill (`skillId`). */
  skillsApply: boolean;
}

export const EVENT_CATALOGUE = [
  { eventId: "denver_post_survey_email_transcript", eventName: "Chat Post Survey E-Mail Transcript", source: "Chat Service (Denver)", functionLimit: 10, skillsApply: false },
  { eventId: "conversational_command", eventName: "Conversational Command", source: "Agent Workspace (new AW only)", functionLimit: 30, skillsApply: false },
  { eventId: "controllerbot_messaging_new_conversation", eventName: "Messaging New Conversation", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  { eventId: "controllerbot_messaging_conversation_end", eventName: "Messaging Conversation End", source: "Controller Bot / auto messages", functionLimit: 1, skillsApply: true },
  { eventId: "controllerbot_messaging_conversation_idle", eventName: "Messaging Conversation Idle", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  { eventId: "controllerbot_messaging_conversation_routing", eventName: "Messaging Conversation Routing", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  { eventId: "controllerbot_messaging_mid_conversation_msg", eventName: "Messaging Line in Off-Hours", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  // Dropped from LivePerson's newest table but still in its templates and mapping; skills as for
  // every other Controller Bot event.
  { eventId: "controllerbot_messaging_participants_change", eventName: "Messaging Participants Change", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  { eventId: "controllerbot_messaging_ttr", eventName: "Messaging TTR", source: "Controller Bot", functionLimit: 1, skillsApply: true },
  { eventId: "surveybot_messaging_survey_started", eventName: "Messaging Survey Started", source: "(Legacy PCS) Survey Bot", functionLimit: 1, skillsApply: true },
  { eventId: "surveybot_messaging_survey_ended", eventName: "Messaging Survey Ended", source: "(Legacy PCS) Survey Bot", functionLimit: 1, skillsApply: true },
  { eventId: "bot_connectors_custom_integration", eventName: "Third-Party Bots Custom Integration", source: "Bot Connector", functionLimit: 15, skillsApply: false },
  { eventId: "bot_connectors_pre_hook", eventName: "Third-Party Bots Pre Hook", source: "Bot Connector", functionLimit: 15, skillsApply: false },
  { eventId: "bot_connectors_post_hook", eventName: "Third-Party Bots Post Hook", source: "Bot Connector", functionLimit: 15, skillsApply: false },
  { eventId: "bot_connectors_error_hook", eventName: "Third-Party Bots Error Hook", source: "Bot Connector", functionLimit: 15, skillsApply: false },
] as const satisfies readonly CatalogueEvent[];

export type EventId = (typeof EVENT_CATALOGUE)[number]["eventId"];

// LivePerson's clients say "No Event" (or send nothing, or null) for a function bound to no event.
const NO_EVENT = "No Event";

/** The event id a function is bound to, with every spelling of "no event" as null. */
export function normaliseEventId(eventId: string | null | undefined): string | null {
  return !eventId || eventId === NO_EVENT ? null : eventId;
}

export function findEvent(eventId: string): CatalogueEvent | undefined {
  return EVENT_CATALOGUE.find((e) => e.eventId === eventId);
}
