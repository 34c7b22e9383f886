/**
 * Azure OpenAI extras: content-filter annotations, the prompt-filter stream chunk Azure sends
 * first, and the `api-version` rule of Azure's classic routes.
 */

const SAFE = { filtered: false, severity: "safe" };

/** `content_filter_results` Azure attaches to each choice. */
export const CONTENT_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

/** `prompt_filter_results` Azure attaches to an answer (and to the first stream chunk). */
export const PROMPT_FILTER_RESULTS = [{
  prompt_index: 0,
  content_filter_results: {
    hate: SAFE,
    jailbreak: { filtered: false, detected: false },
    self_harm: SAFE,
    sexual: SAFE,
    violence: SAFE,
  },
}];

/** JSON text of `CONTENT_FILTER_RESULTS`, for building chunks by concatenation. */
export const CONTENT_FILTER_JSON = JSON.stringify(CONTENT_FILTER_RESULTS);

const PROMPT_FILTER_JSON = JSON.stringify(PROMPT_FILTER_RESULTS);

/** The chunk Azure streams before any choice: empty ids, no choices, only prompt filter results. */
export function promptFilterEvent(includeUsage: boolean): string {
  return includeUsage ? PROMPT_EVENT_USAGE : PROMPT_EVENT;
}

// Azure serialises this chunk with sorted keys, as captured from the service.
const PROMPT_EVENT = `data: {"choices":[],"created":0,"id":"","model":"","object":"",` +
  `"prompt_filter_results":${PROMPT_FILTER_JSON}}\n\n`;
const PROMPT_EVENT_USAGE = `data: {"choices":[],"created":0,"id":"","model":"","object":"",` +
  `"prompt_filter_results":${PROMPT_FILTER_JSON},"usage":null}\n\n`;

/** True when a classic Azure route lacks the `api-version` query parameter Azure requires. */
export function lacksApiVersion(search: string): boolean {
  return !/(?:^\?|&)api-version=[^&]/.test(search);
}

/** Static body of `GET /openai/v1/models`. */
export const AZURE_MODELS_BODY = JSON.stringify({
  data: ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "text-embedding-3-small", "text-embedding-3-large"].map((
    id,
  ) => ({
    id,
    object: "model",
    created_at: 1715558400,
    status: "succeeded",
    capabilities: {
      chat_completion: !id.startsWith("text-"),
      completion: false,
      embeddings: id.startsWith("text-"),
      fine_tune: false,
      inference: true,
    },
    lifecycle_status: "generally-available",
  })),
  object: "list",
});
