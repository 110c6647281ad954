import { closeSync, fdatasyncSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { quantile } from './stats.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  filesystem: string;
  /** Median and p99 of one 100-byte write + fdatasync, ms. */
  fdatasyncMs: { p50: number; p99: number };
  workDir: string;
  /** 1-minute load average when the run started (other processes competing for the cores). */
  loadAtStart: number;
}

/** The file-system type and device of the mount holding `path` (Linux: /proc/mounts). */
function filesystemOf(path: string): string {
  try {
    const real = realpathSync(path);
    let best = { mount: '', text: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mount, type] = line.split(' ');
      if (!device || !mount || !type) continue;
      const prefix = mount.endsWith('/') ? mount : `${mount}/`;
      if ((real === mount || real.startsWith(prefix)) && mount.length > best.mount.length) {
        best = { mount, text: `${type} on ${device} (mounted at ${mount})` };
      }
    }
    return best.text;
  } catch {
    return 'unknown';
  }
}

/** Measures fdatasync of a 100-byte append in `dir`, `count` times. */
export function measureFdatasync(dir: string, count: number): { p50: number; p99: number } {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const bytes = Buffer.alloc(100, 1);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      writeSync(fd, bytes);
      fdatasyncSync(fd);
      latencies.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

export function describeMachine(workDir: string, fsyncProbes: number): Machine {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    kernel: `${process.platform} ${release()}`,
    filesystem: filesystemOf(workDir),
    fdatasyncMs: measureFdatasync(workDir, fsyncProbes),
    workDir,
    loadAtStart: loadavg()[0] ?? 0,
  };
}

export function machineLines(m: Machine): string[] {
  return [
    `- CPU: ${m.cores} cores, ${m.cpuModel}`,
    `- memory: ${m.memoryGiB.toFixed(1)} GiB`,
    `- Node ${m.node}, ${m.kernel}`,
    `- work directory: ${m.workDir} — ${m.filesystem}`,
    `- measured fdatasync of a 100-byte append: p50 ${m.fdatasyncMs.p50.toFixed(3)} ms, p99 ${m.fdatasyncMs.p99.toFixed(3)} ms`,
    `- 1-minute load average: ${m.loadAtStart.toFixed(2)} at the start of the run, ${(loadavg()[0] ?? 0).toFixed(2)} at the end (above 0.5 on this many cores means other work competed for the CPU)`,
  ];
}
