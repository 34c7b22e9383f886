/** The one SHA-256 hex helper: key digests, credential digests and withheld-body markers use it. */
import { createHash } from "node:crypto";

/** Lower-case hex SHA-256 of a string (UTF-8) or of bytes. */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash("sha256").update(value).digest("hex");
}
