import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The same build serves the desktop window (Tauri loads ui/dist) and the browser
// (`botdesk serve` serves ui/dist at /). In development, /api goes to a local `botdesk serve`.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: "http://127.0.0.1:8787", ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
