-- Feishu, DingTalk and WeCom have no force-reply: a prompt is sent to the member's private chat with the
-- bot and the next text there answers the newest open one. This finds it without reading the chat's
-- answered prompts.
CREATE INDEX `chat_prompts_open_idx` ON `chat_prompts` (`platform`,`chat_id`,`member_id`,`created_at`) WHERE "chat_prompts"."answered_at" IS NULL;
