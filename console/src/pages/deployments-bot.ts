// Which functions are bots: those bound to the Third-Party Bots Custom Integration event (the bot
// connector calls them with each consumer message; src/services/templates/other-events.ts).
export const BOT_EVENT_ID = "bot_connectors_custom_integration";

export const isBot = (fn: { eventId: string | null }) => fn.eventId === BOT_EVENT_ID;
