// Outbox payloads at rest: AES-GCM sealed and bound to their row (`outbox:<id>:payload`), since
// texts relayed to a team can quote the tipster. Rows written before sealing (plain JSON) still read.
import { decryptText, encryptText } from "../../security/cipher";
import type { KeyRing } from "../../security/keys";
import type { OutgoingMessage } from "../../chat/types";
import type { WatchedEntity } from "../read-receipts/watches";

export interface OutboxPayload {
  leadId?: string;
  promptId?: string;
  message?: OutgoingMessage;
  /** For digest rows: whose replies to gather (or, with evidenceSince, the evidence added since then: leads/evidence-notices.ts). */
  digest?: { reportId: string; leadId: string; evidenceSince?: number };
  /** For batch_card rows: which batch's card for which team (rendered at delivery). */
  batchCard?: { batchId: string; teamId: string };
  /** What a text or card row is about, when its readers are watched once sent (campaign reminders: read-receipts/watches.ts). */
  watchReads?: WatchedEntity;
}

const context = (outboxId: string) => `outbox:${outboxId}:payload`;

export const isSealedPayload = (stored: string) => stored.startsWith("v1.");

export function sealPayload(keys: KeyRing, outboxId: string, payload: unknown): Promise<string> {
  return encryptText(keys, JSON.stringify(payload), context(outboxId));
}

export async function openPayload(keys: KeyRing, outboxId: string, stored: string): Promise<OutboxPayload> {
  const json = isSealedPayload(stored) ? await decryptText(keys, stored, context(outboxId)) : stored;
  return JSON.parse(json) as OutboxPayload;
}
