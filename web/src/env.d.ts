// The web client runs in a browser: DOM types for web/, and Vite's `?url` / `?raw` imports.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference types="vite/client" />
