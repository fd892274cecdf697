// How the media page words sizes and states.
import type { MediaDto } from "../bindings/MediaDto";

export function bytes(n: number): string {
  if (n < 1024) return `${String(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** What the optimised JPEG saves against the original, when there is one. */
export function saved(media: MediaDto): { bytes: number; share: number } | null {
  const optimised = media.variants.find((v) => v.name === "optimised")?.files.find((f) => f.format === "jpeg");
  if (optimised === undefined || media.size_bytes <= 0) return null;
  const diff = media.size_bytes - optimised.bytes;
  return { bytes: diff, share: diff / media.size_bytes };
}

export const STATUS_LABEL: Record<string, string> = {
  pending: "Waiting to be processed",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
};
