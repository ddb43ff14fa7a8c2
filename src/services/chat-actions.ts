// Old path of the chat dispatcher and its primitives, kept importable for files outside services (pages,
// scripts, tests). Nothing inside src/services imports this: use the modules in ./chat/ directly.
export { answerPrompt, handleCardAction, handleCommand } from "./chat/dispatch";
export { CASE_LINK_MINUTES, caseLinkToken, verifyCaseLinkToken } from "./chat/case-links";
export { isCardAction } from "./chat/lead-presses";
export { parseAmountFen } from "./chat/lead-prompts";
export { mayViewLead } from "./chat/lead-commands";
export { createPrompt, findPromptForReply, markPromptAnswered } from "./chat/prompts";
export { privateChatId, queueReplies } from "./chat/replies";
export type { ChatReply, ChatUser, PromptPurpose } from "./chat/types";
export { parseTipAddress } from "./leads/tips";
