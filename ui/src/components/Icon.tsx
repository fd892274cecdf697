// The app's icons, drawn as SVG strokes: text glyphs and emoji render as missing boxes on
// some Linux desktops, and these look alike nowhere.
export type IconName = "templates" | "media" | "orders" | "products" | "queues" | "webhooks" | "sync" | "activity" | "settings" | "image" | "video" | "document" | "list" | "link" | "phone" | "copy";

const PATHS: Record<IconName, string[]> = {
  // A chat bubble.
  templates: ["M4 5h16v11H9l-5 4z"],
  // A photo: frame, sun, hill.
  media: ["M3 5h18v14H3z", "M3 16l5-5 4 4 3-3 6 6", "M15.5 9.5a1.5 1.5 0 1 0 0.01 0"],
  image: ["M3 5h18v14H3z", "M3 16l5-5 4 4 3-3 6 6", "M15.5 9.5a1.5 1.5 0 1 0 0.01 0"],
  // A shopping bag.
  orders: ["M5 8h14l-1 12H6z", "M9 8V6a3 3 0 0 1 6 0v2"],
  // A price tag.
  products: ["M3 12V4h8l9 9-8 8z", "M7.5 7.5h0.01"],
  // Stacked trays: work waiting its turn.
  queues: ["M12 3l9 4-9 4-9-4z", "M3 12l9 4 9-4", "M3 17l9 4 9-4"],
  // Two arrows passing: a call out, an answer back.
  webhooks: ["M4 8h14", "M14 4l4 4-4 4", "M20 16H6", "M10 12l-4 4 4 4"],
  // Two turning arrows.
  sync: ["M20 11a8 8 0 0 0-14-4", "M6 3v4h4", "M4 13a8 8 0 0 0 14 4", "M18 21v-4h-4"],
  // A clock.
  activity: ["M12 3a9 9 0 1 0 0.01 0", "M12 7v5l3 3"],
  // A slider panel: settings without a gear's fine teeth.
  settings: ["M4 6h10", "M18 6h2", "M16 4v4", "M4 12h4", "M12 12h8", "M10 10v4", "M4 18h12", "M20 18h0", "M18 16v4"],
  // A film frame.
  video: ["M3 6h13v12H3z", "M16 10l5-3v10l-5-3"],
  // A page with a folded corner.
  document: ["M6 3h8l4 4v14H6z", "M14 3v4h4", "M9 12h6", "M9 16h6"],
  // Three lines: a list to open.
  list: ["M5 7h14", "M5 12h14", "M5 17h14"],
  // An arrow out of a box: a link that leaves the chat.
  link: ["M14 4h6v6", "M20 4l-9 9", "M18 14v6H4V6h6"],
  // A handset.
  phone: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1"],
  // Two sheets: copy.
  copy: ["M9 9h11v11H9z", "M5 15H4V4h11v1"],
};

export function Icon({ name, className = "icon" }: { name: IconName; className?: string }) {
  return (
    <svg className={className} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
