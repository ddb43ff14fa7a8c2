// Every workspace form's one-time `key`: made when the page renders, posted back hidden, and used as the
// dedupe key of what the form does, so a double submit acts once. One maker and one check for all pages.
import { z } from "zod";
import { randomBytes, toBase64Url } from "../../../security/encoding";
import { FORM_KEY_PATTERN } from "../../../services/workspace/people-actions";

/** 128 random bits, base64url (22 characters). */
export const newFormKey = (): string => toBase64Url(randomBytes(16));

/** A posted key: base64url, 16–64 characters. */
export const formKeySchema = z.string().regex(FORM_KEY_PATTERN);
