/**
 * The daemon's cheap change signals: a network change (an external interface came, went or got
 * another address) and a resume from sleep (the timer fired much later than it should have).
 * Fake timers drive the one interval; vi.setSystemTime makes the wall clock jump as after sleep.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { networkFingerprint, watchEnvironment } from '../../../src/agent/daemon/environment-watch.js';

type Interfaces = Partial<Record<string, NetworkInterfaceInfo[]>>;

function ipv4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: internal ? '255.0.0.0' : '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/${internal ? 8 : 24}` };
}

function ipv6(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal, cidr: `${address}/64`, scopeid: 0 };
}

const HOME: Interfaces = {
  lo: [ipv4('127.0.0.1', true), ipv6('::1', true)],
  eth0: [ipv4('192.168.1.20'), ipv6('fe80::1')],
};

const PERIOD = 15_000;

let current: Interfaces;
let onNetworkChange: ReturnType<typeof vi.fn<() => void>>;
let onResume: ReturnType<typeof vi.fn<(sleptMs: number) => void>>;
let stop: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-22T10:00:00.000Z'));
  current = HOME;
  onNetworkChange = vi.fn<() => void>();
  onResume = vi.fn<(sleptMs: number) => void>();
  stop = watchEnvironment({ onNetworkChange, onResume, interfaces: () => current });
});
afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe('watchEnvironment: network changes', () => {
  it('fires nothing when nothing changed', async () => {
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(onNetworkChange).not.toHaveBeenCalled();
    expect(onResume).not.toHaveBeenCalled();
  });

  it('fires onNetworkChange once when an interface gets another address', async () => {
    await vi.advanceTimersByTimeAsync(PERIOD);
    current = { ...HOME, eth0: [ipv4('10.0.0.7'), ipv6('fe80::1')] };
    await vi.advanceTimersByTimeAsync(PERIOD - 1);
    expect(onNetworkChange).not.toHaveBeenCalled(); // not before the next look
    await vi.advanceTimersByTimeAsync(1);
    expect(onNetworkChange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(onNetworkChange).toHaveBeenCalledTimes(1);
    expect(onResume).not.toHaveBeenCalled();
  });

  it('fires once for an interface that comes and once more when it goes', async () => {
    current = { ...HOME, wg0: [ipv4('100.64.0.2')] };
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(onNetworkChange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(PERIOD * 3);
    expect(onNetworkChange).toHaveBeenCalledTimes(1);
    current = HOME;
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(onNetworkChange).toHaveBeenCalledTimes(2);
  });

  it('ignores loopback addresses and the order interfaces are listed in', async () => {
    current = { eth0: [ipv6('fe80::1'), ipv4('192.168.1.20')], lo: [ipv4('127.0.0.2', true)] };
    await vi.advanceTimersByTimeAsync(PERIOD * 4);
    expect(onNetworkChange).not.toHaveBeenCalled();
  });

  it('fires nothing after it is stopped', async () => {
    stop();
    current = { eth0: [ipv4('10.0.0.7')] };
    vi.setSystemTime(Date.now() + 3_600_000);
    await vi.advanceTimersByTimeAsync(PERIOD * 4);
    expect(onNetworkChange).not.toHaveBeenCalled();
    expect(onResume).not.toHaveBeenCalled();
  });
});

describe('watchEnvironment: resume from sleep', () => {
  it('fires onResume with how late the timer was when it fires 60 s late', async () => {
    await vi.advanceTimersByTimeAsync(PERIOD); // an ordinary tick
    expect(onResume).not.toHaveBeenCalled();
    vi.setSystemTime(Date.now() + 60_000); // the machine slept: the clock jumped, no timer ran
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(onResume).toHaveBeenCalledTimes(1);
    expect(onResume).toHaveBeenCalledWith(60_000);
    await vi.advanceTimersByTimeAsync(PERIOD * 4); // back to normal
    expect(onResume).toHaveBeenCalledTimes(1);
    expect(onNetworkChange).not.toHaveBeenCalled();
  });

  it('does not mistake a slightly late timer for a resume', async () => {
    vi.setSystemTime(Date.now() + 20_000);
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(onResume).not.toHaveBeenCalled();
  });

  it('reports both when the machine wakes up on another network', async () => {
    vi.setSystemTime(Date.now() + 8 * 3_600_000);
    current = { eth0: [ipv4('172.20.10.3')] };
    await vi.advanceTimersByTimeAsync(PERIOD);
    expect(onResume).toHaveBeenCalledWith(8 * 3_600_000);
    expect(onNetworkChange).toHaveBeenCalledTimes(1);
  });
});

describe('watchEnvironment: period', () => {
  it('looks as often as it is told to', async () => {
    const changed = vi.fn<() => void>();
    let interfaces: Interfaces = HOME;
    const stopFast = watchEnvironment({ onNetworkChange: changed, onResume: () => undefined, periodMs: 1_000, interfaces: () => interfaces });
    try {
      interfaces = { eth0: [ipv4('10.1.1.1')] };
      await vi.advanceTimersByTimeAsync(1_000);
      expect(changed).toHaveBeenCalledTimes(1);
    } finally {
      stopFast();
    }
  });
});

describe('networkFingerprint', () => {
  it('lists external addresses by interface, sorted, without loopback', () => {
    expect(networkFingerprint(HOME)).toBe('eth0/192.168.1.20,eth0/fe80::1');
    expect(networkFingerprint({ lo: [ipv4('127.0.0.1', true)] })).toBe('');
    expect(networkFingerprint({ b: [ipv4('10.0.0.2')], a: [ipv4('10.0.0.1')] })).toBe('a/10.0.0.1,b/10.0.0.2');
  });
});
