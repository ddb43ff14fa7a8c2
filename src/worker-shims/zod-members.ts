// Workers bundle and Node build only (see ./zod.ts): zod 4's classic API, export for export as zod/v4/classic/external.js
// has it, less `locales` (every language's error messages, ~360 KB) and `core` (whose namespace carries the
// locales too; src uses z.core for types only). English stays: zod registers it on the first schema.
// Also left out, as src uses none of them (test/worker/zod-shim.test.ts checks that): the schema compiler
// (compile, withParser, INVALID, ZodCompile*Error: core/compile.js, ~32 KB) and fromJSONSchema (~13 KB;
// the API document only writes JSON Schema, with toJSONSchema).
export * from "../../node_modules/zod/v4/classic/schemas.js";
export * from "../../node_modules/zod/v4/classic/checks.js";
export * from "../../node_modules/zod/v4/classic/errors.js";
export * from "../../node_modules/zod/v4/classic/parse.js";
export * from "../../node_modules/zod/v4/classic/compat.js";
export {
  globalRegistry,
  registry,
  config,
  memoizer,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
  toZod,
  getDiscriminatedOption,
} from "zod/v4/core";
export { toJSONSchema } from "../../node_modules/zod/v4/core/json-schema-processors.js";
export { deepPartial } from "../../node_modules/zod/v4/classic/deep-partial.js";
export { input, output } from "../../node_modules/zod/v4/classic/in-out.js";
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from "../../node_modules/zod/v4/classic/iso.js";
export * as iso from "../../node_modules/zod/v4/classic/iso.js";
export * as coerce from "../../node_modules/zod/v4/classic/coerce.js";
