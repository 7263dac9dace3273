// Graphviz as WebAssembly, loaded only when an SVG is asked for: it is an
// optional dependency, so the library's own dependencies stay small and a
// machine without system graphviz can still draw.
//
// Why @viz-js/viz 3.31.0 rather than @hpcc-js/wasm-graphviz 1.29.2 (both
// Graphviz 16.1.0, both released about monthly through September 2026): it
// returns Graphviz's warnings as values (hpcc's layout() drops them whenever
// it has output, and the tests check there are none), and it ships CommonJS
// as well as ESM (hpcc is ESM only; this library is CommonJS). It is larger
// (5.0 MB unpacked against 2.1 MB, as it ships one bundle three ways); its
// wrapper is MIT, hpcc's Apache-2.0; the Graphviz inside both is EPL-1.0.

/** The package renderSvg loads; pinned in package.json's optionalDependencies. */
export const GRAPHVIZ_PACKAGE = '@viz-js/viz';

/** One message Graphviz gave while rendering. */
export interface GraphvizMessage {
  level?: 'error' | 'warning';
  message: string;
}

/** Graphviz's answer: the output, or none when the input was refused; its messages either way. */
export type GraphvizResult =
  | { status: 'success'; output: string; errors: GraphvizMessage[] }
  | { status: 'failure'; output: undefined; errors: GraphvizMessage[] };

/** What we use of @viz-js/viz's Viz (declared here: the package may be absent). */
export interface Graphviz {
  readonly graphvizVersion: string;
  render(input: string, options: { format: string }): GraphvizResult;
}

/** What we use of the package's module. */
export interface GraphvizModule {
  instance(): Promise<Graphviz>;
}

/** Thrown when the renderer package cannot be found; the message says how to install it. */
export const RENDERER_MISSING = 'NETNS_SVG_RENDERER_MISSING';

const instances = new Map<string, Promise<Graphviz>>();

/** The Graphviz instance, made once per process (compiling the WebAssembly takes a while). */
function loadGraphviz(packageName: string): Promise<Graphviz> {
  let loading = instances.get(packageName);
  if (loading === undefined) {
    const started = importRenderer(packageName).then((renderer) => renderer.instance());
    // A failed load is not remembered: the package may be installed later.
    started.catch(() => forget(packageName, started));
    instances.set(packageName, started);
    loading = started;
  }
  return loading;
}

function forget(packageName: string, instance: Promise<Graphviz>): void {
  if (instances.get(packageName) === instance) instances.delete(packageName);
}

async function importRenderer(packageName: string): Promise<GraphvizModule> {
  try {
    return (await import(packageName)) as GraphvizModule;
  } catch (error) {
    throw isMissing(error, packageName) ? missingRenderer(packageName, error) : error;
  }
}

/** Not found itself (require's or import's code), not something it imports in turn. */
function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const notFound = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
  return notFound && typeof message === 'string' && message.includes(`'${packageName}'`);
}

function missingRenderer(packageName: string, cause: unknown): Error {
  const error = new Error(
    `SVG needs the optional package ${packageName} (Graphviz as WebAssembly), which is not installed: ` +
      `npm installs it with netns-native unless optional dependencies are left out; ` +
      `add it with \`npm install ${packageName}\``,
    { cause },
  );
  return Object.assign(error, { code: RENDERER_MISSING });
}

/**
 * @internal
 * `source` (DOT) laid out by dot and written in `format` ('svg', 'dot_json', ...).
 * A trap in the WebAssembly (a Graphviz crash) rejects, and the instance is
 * dropped: its memory may be corrupt, so the next call starts a fresh one.
 * `packageName` is a seam for the tests of a missing package.
 */
export async function runGraphviz(
  source: string,
  format: string,
  packageName: string = GRAPHVIZ_PACKAGE,
): Promise<GraphvizResult> {
  const loading = loadGraphviz(packageName);
  const graphviz = await loading;
  try {
    return graphviz.render(source, { format });
  } catch (error) {
    forget(packageName, loading);
    throw new Error(`Graphviz ${graphviz.graphvizVersion} crashed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}
