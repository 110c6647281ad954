import { DurabilityError } from '@durability/core';

/** The facts of a failure, as the CLI prints them (and as `--json` documents carry them). */
export interface ErrorSummary {
  /** The `DurabilityError` code (`CORRUPTION`, `TORN_TAIL`, `LOCKED`, ...) or `INTERNAL` for anything else. */
  code: string;
  /** The message, including the details core appends (path, segment, offset, expected, actual). */
  message: string;
  path?: string;
  segmentId?: number;
  offset?: number;
  /** What the format required, as text. */
  expected?: string;
  /** What was found, as text. */
  actual?: string;
}

/** A JSON-safe summary of `error`. */
export function summarizeError(error: unknown): ErrorSummary {
  if (!DurabilityError.is(error)) {
    return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
  }
  const summary: ErrorSummary = { code: error.code, message: error.message };
  if (error.path !== undefined) summary.path = error.path;
  if (error.segmentId !== undefined) summary.segmentId = error.segmentId;
  if (error.offset !== undefined) summary.offset = error.offset;
  if (error.expected !== undefined) summary.expected = text(error.expected);
  if (error.actual !== undefined) summary.actual = text(error.actual);
  return summary;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
