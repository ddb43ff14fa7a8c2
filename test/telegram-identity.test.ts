// The Telegram bot's identity without getMe: TELEGRAM_BOT_USERNAME is validated like every variable,
// and the id always comes from the token.
import { describe, expect, it } from "vitest";
import { botInfoFromToken } from "../src/chat/telegram/bot";
import { ConfigError, parseConfig } from "../src/config";

describe("Telegram bot identity", () => {
  it("accepts the username with or without @ and refuses anything else, naming the variable", () => {
    expect(parseConfig({ TELEGRAM_BOT_USERNAME: "@fundwatch_bot" }).TELEGRAM_BOT_USERNAME).toBe("fundwatch_bot");
    expect(parseConfig({ TELEGRAM_BOT_USERNAME: "FundWatchBot" }).TELEGRAM_BOT_USERNAME).toBe("FundWatchBot");
    expect(parseConfig({}).TELEGRAM_BOT_USERNAME).toBeUndefined();
    for (const bad of ["fund watch", "abc", "1bot_name", "x".repeat(40)]) {
      expect(() => parseConfig({ TELEGRAM_BOT_USERNAME: bad }), bad).toThrow(ConfigError);
      expect(() => parseConfig({ TELEGRAM_BOT_USERNAME: bad }), bad).toThrow(/TELEGRAM_BOT_USERNAME: must be the bot's username/);
    }
  });

  it("takes the bot id from the token prefix, with a placeholder username until the real one is known", () => {
    expect(botInfoFromToken("123456789:AAE-secret")).toMatchObject({ id: 123456789, is_bot: true, username: "bot123456789" });
    expect(botInfoFromToken("123456789:AAE-secret", "fundwatch_bot")).toMatchObject({ id: 123456789, username: "fundwatch_bot", first_name: "fundwatch_bot" });
  });
});
