// Workers bundle only (wrangler.toml [alias] "@slack/bolt"): what src/chat/slack uses of Bolt — its App
// (which brings @slack/web-api for its listeners' `client`) — without Bolt's package root, whose index also loads the Express and AWS Lambda receivers
// (express, body-parser, iconv-lite, mime-db, qs…) and OAuth. The Worker hands Bolt its own receiver
// (./receiver.ts) and never installs the app, so none of those run there.
export { default as App } from "@slack/bolt/dist/App";
