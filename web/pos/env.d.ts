// Vite's `?url` imports (the ZXing wasm), which the build turns into the asset's served URL.
declare module '*?url' {
  const url: string;
  export default url;
}
