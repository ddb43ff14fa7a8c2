// Prints chat messages when no Telegram or Slack token is configured, so a local `npm start` shows the
// whole loop (tip → lead card → acknowledgement) in the terminal.
import type { ChatAdapter, OutgoingMessage } from "../types";

export function renderPlain(message: OutgoingMessage): string {
  if (message.kind !== "card") return message.text;
  const { card } = message;
  const lines = [`■ ${card.title}`, ...card.fields.map((f) => `  ${f.label}: ${f.value}`)];
  if (card.body) lines.push("", `  ${card.body}`);
  const buttons = card.buttons.flat().filter((b) => !b.url);
  if (buttons.length) lines.push("", `  [${buttons.map((b) => b.label).join("] [")}]`);
  if (card.footer) lines.push(`  ${card.footer}`);
  return lines.join("\n");
}

export function createConsoleAdapter(write: (line: string) => void = (l) => console.log(l)): ChatAdapter & { messages: { chatId: string; messageId: string; text: string }[] } {
  let counter = 0;
  const messages: { chatId: string; messageId: string; text: string }[] = [];
  return {
    platform: "console",
    messages,
    async send(target, message) {
      const messageId = String(++counter);
      const text = renderPlain(message);
      messages.push({ chatId: target.chatId, messageId, text });
      write(`\n[chat ${target.chatId} #${messageId}]\n${text}\n`);
      return { messageId };
    },
    async edit(target, messageId, message) {
      const text = renderPlain(message);
      messages.push({ chatId: target.chatId, messageId, text });
      write(`\n[chat ${target.chatId} #${messageId} edited]\n${text}\n`);
    },
  };
}
