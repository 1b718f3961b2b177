// The parts of OpenAI's chat completions format the gateway reads or writes. Everything else in a
// request or response is passed through untouched, hence the index signatures.

export type ContentPart = { type: string; text?: string; [key: string]: unknown };

export interface ChatMessage {
  role: string;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatTool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: unknown };
  [key: string]: unknown;
}

export interface ChatCompletionRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ChatTool[];
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [key: string]: unknown;
}

export interface ChatChoice {
  index: number;
  message: ChatMessage;
  finish_reason: string | null;
  [key: string]: unknown;
}

export interface ChatCompletionResponseBody {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage | null;
  [key: string]: unknown;
}

export interface ChunkChoice {
  index: number;
  delta: { role?: string; content?: string | null; tool_calls?: unknown[]; [key: string]: unknown };
  finish_reason?: string | null;
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  [key: string]: unknown;
}

/** The OpenAI error envelope, which OpenAI clients turn into typed exceptions. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; [key: string]: unknown };
}
