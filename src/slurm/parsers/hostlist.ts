/**
 * Expands a Slurm hostlist (`gpu-[1-3,5]`, `rack[1-2]-gpu[01-02]`, `gpu-1,cpu-[1-2]`) into node
 * names, as `scontrol show hostnames` does: ranges keep their zero padding, several bracket groups
 * multiply out. Throws on unbalanced brackets or a range that is not numeric.
 */
export function expandHostlist(text: string): string[] {
  return splitTopLevel(text.trim(), text).flatMap((part) => expandOne(part, text));
}

function splitTopLevel(text: string, whole: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '[') depth++;
    if (char === ']') depth--;
    if (depth < 0 || depth > 1) throw new Error(`hostlist "${whole}": unbalanced brackets`);
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new Error(`hostlist "${whole}": unbalanced brackets`);
  parts.push(current);
  return parts.filter(Boolean);
}

function expandOne(name: string, whole: string): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  const prefix = name.slice(0, open);
  const rest = expandOne(name.slice(close + 1), whole);
  return rangeValues(name.slice(open + 1, close), whole).flatMap((value) =>
    rest.map((tail) => `${prefix}${value}${tail}`),
  );
}

function rangeValues(ranges: string, whole: string): string[] {
  return ranges.split(',').flatMap((range) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (!match) throw new Error(`hostlist "${whole}": "${range}" is not a number or a range of numbers`);
    const [from, to = from] = [match[1]!, match[2]];
    const width = from.length;
    const values: string[] = [];
    for (let n = Number(from); n <= Number(to); n++) values.push(String(n).padStart(width, '0'));
    return values;
  });
}
