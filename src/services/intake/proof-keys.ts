// Public keys that proofs of submission were signed with. Each key is recorded the first time it
// signs (in the submission's own batch), so after a rotation every earlier key stays published and
// proofs signed before it still verify.
import { and, eq, gte, lt } from "drizzle-orm";
import { appState } from "../../db/schema";
import type { ServiceDeps } from "../deps";

const PREFIX = "signing_key:";

/** Signing keys this process has seen stored, per database handle: the tip path records a key once. */
const recorded = new WeakMap<object, Set<string>>();

/**
 * For the submission batch: the statement that remembers the active signing key's public half, until
 * this process has seen one such batch commit (then none: the key changes only with a rotation).
 */
export function signingKeyStatements(deps: ServiceDeps): unknown[] {
  const { keys } = deps;
  if (recorded.get(deps.db)?.has(keys.signingKeyId)) return [];
  return [
    deps.db
      .insert(appState)
      .values({ key: `${PREFIX}${keys.signingKeyId}`, value: JSON.stringify(keys.signingPublicJwk), updatedAt: deps.now().getTime() })
      .onConflictDoNothing({ target: appState.key }),
  ];
}

/** Called once a batch carrying signingKeyStatements has committed. */
export function signingKeyRecorded(deps: ServiceDeps): void {
  const known = recorded.get(deps.db) ?? new Set<string>();
  known.add(deps.keys.signingKeyId);
  recorded.set(deps.db, known);
}

/** Every key that has signed a proof, the active one first (a JWKS `keys` array). */
export async function listPublishedSigningKeys(deps: ServiceDeps): Promise<JsonWebKey[]> {
  // A primary-key range scan: one row per key ever used.
  const rows = await deps.db
    .select({ key: appState.key, value: appState.value })
    .from(appState)
    .where(and(gte(appState.key, PREFIX), lt(appState.key, `${PREFIX}\uffff`)));
  const active = deps.keys.signingPublicJwk as JsonWebKey & { kid?: string };
  const earlier = rows.filter((r) => r.key !== `${PREFIX}${deps.keys.signingKeyId}`).map((r) => JSON.parse(r.value) as JsonWebKey);
  return [active, ...earlier];
}

/** The public key with that id, if it ever signed here. */
export async function findSigningPublicKey(deps: ServiceDeps, keyId: string): Promise<JsonWebKey | null> {
  if (keyId === deps.keys.signingKeyId) return deps.keys.signingPublicJwk;
  const [row] = await deps.db.select({ value: appState.value }).from(appState).where(eq(appState.key, `${PREFIX}${keyId}`));
  return row ? (JSON.parse(row.value) as JsonWebKey) : null;
}
