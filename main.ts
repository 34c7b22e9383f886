/**
 * azmw — an LLM gateway for Azure OpenAI, OpenAI and Anthropic in one executable.
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
