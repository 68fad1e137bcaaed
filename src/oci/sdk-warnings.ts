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

let sink: Sink = () => {};
let installed = false;

export function routeSdkWarnings(to: Sink = () => {}): void {
  sink = to;
  if (installed) return;
  installed = true;
  const original = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (SDK_WARNINGS.some((pattern) => pattern.test(text))) sink(text);
    else original(...args);
  };
}
