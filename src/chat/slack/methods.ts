// The Web API methods behind the Slack adapter's send and edit (no Bolt import: the runtime names them before Bolt loads).
export const SLACK_METHODS = { send: "chat.postMessage", edit: "chat.update" } as const;
