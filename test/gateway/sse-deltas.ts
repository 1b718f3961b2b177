// The content deltas in SSE text the gateway wrote to a client, in order (one per data chunk).
export function deltaContents(sse: string): string[] {
  const out: string[] = [];
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const parsed = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
    out.push(parsed.choices?.[0]?.delta?.content ?? "");
  }
  return out;
}
