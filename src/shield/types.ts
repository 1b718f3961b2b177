// The Shield's public vocabulary. The engine is pure: text in, verdict out, no I/O.

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DIRECTIONS = ["inbound", "outbound"] as const;
export type Direction = (typeof DIRECTIONS)[number];
export type RuleDirection = Direction | "both";

export const VERDICTS = ["ALLOW", "REVIEW", "BLOCK"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Which normalised view of the text a rule's patterns run on. */
export type TextView =
  /** NFKC-normalised, invisible characters removed, case preserved: secrets, PII, paths. */
  | "clean"
  /** clean, then lower-cased with confusables and leetspeak folded: injection and jailbreak phrasing. */
  | "folded";

export type RuleActionOverride = "allow" | "review" | "block";

export type Validator =
  | { type: "luhn" }
  | { type: "iban" }
  | { type: "entropy"; min: number }
  | { type: "not_placeholder" }
  | { type: "github_checksum" }
  | { type: "min_distinct"; min: number }
  | { type: "payment_card" }
  | { type: "not_template" }
  | { type: "char_classes"; min: number; digit?: boolean | undefined }
  | { type: "jwt" }
  | { type: "credential_pair" }
  | { type: "ssn" }
  | { type: "es_dni" }
  | { type: "nl_bsn" }
  | { type: "de_steuer_id" }
  | { type: "br_cpf" }
  | { type: "phone" }
  | { type: "not_identifier" };

/** Engine-level signals a rule can fire on instead of a pattern. */
export const SIGNAL_NAMES = ["invisible.tag", "invisible.bidi", "invisible.zero_width", "decoded.payload"] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

export interface Rule {
  id: string;
  title: string;
  family: string;
  category: string;
  severity: Severity;
  /** 0..1: how sure a match is to be the real thing. */
  confidence: number;
  direction: RuleDirection;
  view: TextView;
  keywords: string[];
  /**
   * A short regex, run on the rule's view, that overlaps every match of the rule's patterns (digits
   * of an ID number, the "@" of an e-mail): the patterns then run only near its hits, as they do
   * near keyword hits, and not at all without one.
   */
  prefilter?: string | undefined;
  patterns: string[];
  flags: string;
  /** Capture group that holds the sensitive value (validated and masked); 0 = whole match. */
  secretGroup: number;
  /** Mask the matched value in excerpts (secrets, PII). */
  sensitive: boolean;
  validators: Validator[];
  /** A detection needs this many distinct patterns of the rule to match. */
  minMatches: number;
  signal?: { name: SignalName; minCount: number } | undefined;
  action?: RuleActionOverride | undefined;
  tags: string[];
  mustMatch: string[];
  mustNotMatch: string[];
  /** Where the rule came from: "builtin:<file>" or a custom rule file path. */
  origin: string;
}

export interface Detection {
  rule_id: string;
  title: string;
  category: string;
  family: string;
  severity: Severity;
  confidence: number;
  tags: string[];
  /** Character offsets [start, end) in the scanned text as given (UTF-16 code units). */
  span: { start: number; end: number };
  /** True for secrets, PII and canaries: the matched value is masked wherever it is shown or stored. */
  sensitive: boolean;
  /** A short excerpt of the match; sensitive values are masked and never returned whole. */
  excerpt: string;
  /** Encodings peeled off to find this (e.g. ["base64"]); empty when found in plain text. */
  decoded_from: string[];
  action?: RuleActionOverride | undefined;
}

export interface ScanInput {
  text: string;
  direction?: Direction | undefined;
}

export interface ScanOutcome {
  verdict: Verdict;
  score: number;
  detections: Detection[];
  /** Invisible characters that were stripped before matching, by class. */
  invisible: { zero_width: number; bidi: number; tag: number };
  /** Set when a budget cut the scan short (the verdict then errs towards REVIEW). */
  truncated: boolean;
}

export interface ShieldOptions {
  thresholds: { review: number; block: number };
  disabledRules?: string[] | undefined;
  ruleActions?: Record<string, RuleActionOverride> | undefined;
  canaries?: string[] | undefined;
  maxDecodeDepth?: number | undefined;
  maxDecodedChars?: number | undefined;
}
