/**
 * The SDK's retrier reports every retry with console.warn, in free text. Those lines are routed
 * to a structured sink (or dropped) so the logs stay JSON; other console.warn output passes.
 */
const SDK_WARNINGS = [
  /^Request failed with Exception/,
  /^All retry attempts have exhausted/,
  /^Request cannot be retried/,
  /^Found regionId .* but not supported/,
];

type Sink = (message: string) => void;
type Warn = (...args: unknown[]) => void;

/** A console.warn that sends the SDK's lines to `sink()` and everything else to `next`. */
export function filterSdkWarnings(next: Warn, sink: () => Sink): Warn {
  return (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (SDK_WARNINGS.some((pattern) => pattern.test(text))) sink()(text);
    else next(...args);
  };
}

let current: Sink = () => {};
let installed = false;

/** Installs the filter once per process; later calls only change where the lines go. */
export function routeSdkWarnings(to: Sink = () => {}): void {
  current = to;
  if (installed) return;
  installed = true;
  console.warn = filterSdkWarnings(console.warn.bind(console), () => current);
}
