// Old path of services/chat/listings.ts, kept importable for files outside services.
export { LISTING_COMMANDS, routeListingReply } from "./chat/listings";
