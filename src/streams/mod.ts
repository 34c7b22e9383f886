/**
 * Streaming hot path and usage extraction.
 *
 * A streamed response is relayed to the client byte for byte as it arrives; a side parser reads
 * its server-sent events to assemble content and usage for cost and logging:
 *
 * ```ts
 * const asm = createAssembler("chat");
 * const body = upstream.body!.pipeThrough(new SseTapStream((ev) => asm.push(ev)));
 * // ...once the body ends: asm.result().usage
 * ```
 *
 * When the gateway added `stream_options.include_usage` to a chat request, `UsageStripStream`
 * replaces `SseTapStream` and hides the extra usage from the client. Both also come as plain transformers
 * (`sseTap`, `usageStrip`), which the gateway's relay runs inside its own stream instead of piping through a
 * second one. Non-streaming bodies go through `usageFromBody` / `assembleBody`.
 * @module
 */
export type { Assembled, Operation, ToolCall, Usage } from "../core/operation.ts";
export { assembleBody, normalizeUsage, usageFromBody } from "./usage.ts";
export { type SseEvent, sseTap, type SseTapOptions, SseTapStream } from "./sse.ts";
export { createAssembler, type StreamAssembler } from "./assemble.ts";
export { usageStrip, type UsageStripOptions, UsageStripStream } from "./usage_strip.ts";
