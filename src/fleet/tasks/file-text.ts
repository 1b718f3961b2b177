// Reads the beginning of an attached text file for a prompt, bounded in characters.
import type { FileStorage } from "../files/storage.ts";
import type { FleetFile } from "../files/file-store.ts";
import type { FileText } from "./prompt.ts";

export async function readFileText(storage: FileStorage, file: FleetFile, maxChars: number): Promise<FileText> {
  if (file.scan.kind !== "text" && file.scan.kind !== "empty") return { file, text: null, truncated: false };
  const decoder = new TextDecoder("utf-8");
  let text = "";
  const stream = storage.openRead(file.id);
  try {
    for await (const chunk of stream) {
      text += decoder.decode(chunk as Buffer, { stream: true });
      if (text.length > maxChars) return { file, text: text.slice(0, maxChars), truncated: true };
    }
  } finally {
    stream.destroy();
  }
  text += decoder.decode();
  return { file, text: text.slice(0, maxChars), truncated: text.length > maxChars };
}
