// The web client runs in a browser: DOM types for web/, and Vite's `?url` / `?raw` imports.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference types="vite/client" />

/** alpha-2 → numeric ISO 3166 codes, made by the web build (web/country-code-table.ts). */
declare module 'virtual:oretrace/country-codes' {
  const numericByAlpha2: Readonly<Record<string, string>>;
  export default numericByAlpha2;
}
