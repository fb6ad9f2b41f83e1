/** A script bundled as text (see the worker-source plugin in scripts/bundle.mjs), to start a Worker from a blob. */
declare module '*?worker-source' {
  const source: string;
  export default source;
}
