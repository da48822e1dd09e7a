// The request files wrk reads (bench/load/requests.lua), from the directory prepare.ts wrote, and
// the server's CPU time: shared by bench:load and bench:ab.
import fs from 'node:fs';
import path from 'node:path';

/**
 * `(class) => file`: the prepared file of each endpoint class, and for orders a fresh slice of
 * (account, track) pairs on every call, so no run repeats a purchase.
 */
export function requestFiles(dir: string): (name: string) => string {
  let orderCursor = 0;
  const orderFile = (): string => {
    const { accounts, trackIds } = JSON.parse(fs.readFileSync(path.join(dir, 'accounts.json'), 'utf8')) as {
      accounts: { cookie: string; csrf: string }[];
      trackIds: number[];
    };
    const lines: string[] = [];
    for (let k = orderCursor; k < orderCursor + 40_000; k++) {
      const a = accounts[k % accounts.length] as { cookie: string; csrf: string };
      const track = trackIds[Math.floor(k / accounts.length) % trackIds.length];
      lines.push(['POST', '/api/orders', JSON.stringify({ trackIds: [track] }), a.cookie, a.csrf].join('\t'));
    }
    orderCursor += 40_000;
    const file = path.join(dir, `order-${orderCursor}.txt`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  return (name) => (name === 'order' ? orderFile() : path.join(dir, `${name}.txt`));
}

/** CPU time (user + system, all threads) of these processes so far, from /proc/<pid>/stat in clock ticks of 1/100 s. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}
