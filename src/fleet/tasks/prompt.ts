// The messages a task sends to its agent's model: the instructions, then the text of each
// attached file (bounded, and saying so when cut). Non-text files are named, not inlined.
import type { ChatMessage } from "../../gateway/openai-types.ts";
import type { FleetFile } from "../files/file-store.ts";

export interface FileText {
  file: FleetFile;
  /** The file's text, or null when it is not a text file. */
  text: string | null;
  truncated: boolean;
}

export function buildMessages(instructions: string, files: readonly FileText[]): ChatMessage[] {
  const parts = [instructions];
  for (const { file, text, truncated } of files) {
    if (text === null) {
      parts.push(`--- attached file "${file.name}" (${file.id}, ${file.detected_type}, ${file.size} bytes): not a text file, content not included ---`);
      continue;
    }
    parts.push(`--- attached file "${file.name}" (${file.id}) ---\n${text}${truncated ? "\n[... file truncated ...]" : ""}\n--- end of "${file.name}" ---`);
  }
  return [{ role: "user", content: parts.join("\n\n") }];
}
