/** Helpers shared by the mock upstream tests. */

/** A POST request for a handler called without a socket. */
export function jsonRequest(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Request {
  return new Request(`http://mock.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text.split("\n\n").filter((block) => block.length > 0).map((block) => {
    const line = block.split("\n").find((l) => l.startsWith("data: "));
    return line === undefined ? "" : line.slice(6);
  });
}

/** The `event:` names and parsed data of an SSE body with named events. */
export function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text.split("\n\n").filter((block) => block.length > 0).map((block) => {
    const lines = block.split("\n");
    const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
    const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "{}";
    return { event, data: JSON.parse(data) };
  });
}

/** A chat body with one user message. */
export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: "gpt-4o", messages: [{ role: "user", content }], ...extra };
}

/** A function tool in chat completions shape. */
export const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" } },
      required: ["city", "days"],
    },
  },
};
