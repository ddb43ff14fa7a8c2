// The Workers bundle (wrangler.toml [alias] "zod") and the Node build (scripts/build-node.mjs resolves "zod"
// here; on Node the locales cost ~7 MB resident as modules): `import { z } from "zod"` makes `z` a namespace object,
// so a bundler keeps all of it, locales included; this `z` is built from ./zod-members.ts, which leaves
// the locales out. test/worker/zod-shim.test.ts checks it offers everything else zod's `z` does.
import * as z from "./zod-members";
export * from "./zod-members";
export { z, z as default };
