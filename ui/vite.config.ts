import tailwindcss from "@tailwindcss/vite"
import { defineConfig } from "vite"
import solid from "vite-plugin-solid"

// The dashboard is embedded into the compiled binary by scripts/build-ui.ts; everything under
// assets/ carries a content hash and is served as immutable.
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [solid(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/api": { target: process.env.DEVRIG_API ?? "http://localhost:4000", ws: true },
    },
  },
})
