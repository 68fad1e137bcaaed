import { describe, expect, it } from 'vitest';
import { nodeArg, reasonArg, refArg, splitArgs, UsageError } from '../../commands/support/args.js';

describe('splitArgs', () => {
  it('splits on whitespace and groups quoted words, straight or curly', () => {
    expect(splitArgs('  deny  gpu-1 "training run" until Friday ')).toEqual([
      'deny',
      'gpu-1',
      'training run',
      'until',
      'Friday',
    ]);
    expect(splitArgs('deny gpu-1 “until Friday” ‘ok’')).toEqual(['deny', 'gpu-1', 'until Friday', 'ok']);
    expect(splitArgs('deny gpu-1 ""')).toEqual(['deny', 'gpu-1', '']);
    expect(splitArgs('')).toEqual([]);
  });

  it('interprets nothing: $(), backticks, ; and backslashes stay as typed', () => {
    expect(splitArgs('deny gpu-1 $(rm -rf /) `id`; echo \\x')).toEqual([
      'deny',
      'gpu-1',
      '$(rm',
      '-rf',
      '/)',
      '`id`;',
      'echo',
      '\\x',
    ]);
  });

  it('refuses an unclosed quote, control characters and very long text', () => {
    expect(() => splitArgs('deny gpu-1 "never closed')).toThrow(UsageError);
    expect(() => splitArgs('approve gpu-1\nrm -rf /')).toThrow('one line');
    expect(() => splitArgs('approve gpu-1\u0000')).toThrow(UsageError);
    expect(() => splitArgs(`deny gpu-1 ${'a'.repeat(10_240)}`)).toThrow('at most 2000');
  });
});

describe('argument validation', () => {
  it('accepts node names as Slurm spells them, and nothing a shell or scontrol could read', () => {
    expect(nodeArg('gpu-node_01.rack2')).toBe('gpu-node_01.rack2');
    for (const bad of [
      'gpu-1;',
      '$(whoami)',
      '`id`',
      'a b',
      '-rf',
      'NodeName=x',
      '../etc',
      'x'.repeat(200),
    ]) {
      expect(() => nodeArg(bad), bad).toThrow(UsageError);
    }
  });

  it('accepts maintenance event OCIDs and refuses other OCIDs or anything else starting ocid1.', () => {
    for (const good of [
      'ocid1.instancemaintenanceevent.oc1.iad.aaaa1',
      'ocid1.instancemaintenanceevent.oc1..aaaa1',
      'ocid1.instancemaintenanceevent.oc1.phx.future.aaaaaaaab3xyz',
    ]) {
      expect(refArg(good)).toBe(good);
    }
    for (const bad of [
      'ocid1.instance.oc1.iad.aaaa1',
      'ocid1.instancemaintenanceevent.oc1.iad.a;b',
      'ocid1.instancemaintenanceevent.oc1.iad.$(id)',
      `ocid1.instancemaintenanceevent.oc1.iad.${'a'.repeat(300)}`,
    ]) {
      expect(() => refArg(bad), bad).toThrow(UsageError);
    }
    expect(refArg('gpu-1')).toBe('gpu-1');
    expect(() => refArg(undefined)).toThrow(UsageError);
  });

  it('keeps a reason as typed, up to 500 characters', () => {
    expect(reasonArg(['$(rm', '-rf', '/)', '`id`;'])).toBe('$(rm -rf /) `id`;');
    expect(() => reasonArg(['r'.repeat(501)])).toThrow('at most 500');
  });
});
