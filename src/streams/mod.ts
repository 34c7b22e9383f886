/**
 * Streaming hot path and usage extraction.
 *
 * A streamed response is relayed to the client byte for byte as it arrives; a side parser reads
 * its server-sent events to assemble content and usage for cost and logging:
 *
 * ```ts
 * const asm = createAssembler("chat");
 * const body = upstream.body!.pipeThrough(new TransformStream(sseTap((ev) => asm.push(ev))));
 * // ...once the body ends: asm.result().usage
 * ```
 *
 * When the gateway added `stream_options.include_usage` to a chat request, `usageStrip` replaces
 * `sseTap` and hides the extra usage from the client. Both are plain transformers, which the gateway's
 * relay runs inside its own stream instead of piping through a second one. Non-streaming bodies go
 * through `usageFromBody` / `assembleBody`.
 * @module
 */
export type { Assembled, Operation, ToolCall, Usage } from "../core/operation.ts";
export { assembleBody, normalizeUsage, usageFromBody } from "./usage.ts";
export { type SseEvent, sseTap, type SseTapOptions } from "./sse.ts";
export { createAssembler, type StreamAssembler } from "./assemble.ts";
export { usageStrip, type UsageStripOptions } from "./usage_strip.ts";
