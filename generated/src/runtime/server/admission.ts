/**
 * Connection counting for `maxConnections` and `maxConnectionsPerIp`. A slot is taken when an
 * upgrade passes the cheap checks (before authentication, so slow handshakes count too) and
 * given back when the handshake fails or the connection closes.
 */

/** Why a slot was refused: HTTP status to answer. */
export type AdmissionRefusal = 503 | 429;

/** Counts open and handshaking connections, in total and per peer address. */
export class Admission {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly maxConnections: number,
    private readonly maxConnectionsPerIp: number,
  ) {}

  /** Takes a slot for `ip`, or returns the status to refuse with (503 server full, 429 this address has too many). */
  acquire(ip: string): AdmissionRefusal | undefined {
    if (this.total >= this.maxConnections) return 503;
    const current = this.perIp.get(ip) ?? 0;
    if (current >= this.maxConnectionsPerIp) return 429;
    this.total++;
    this.perIp.set(ip, current + 1);
    return undefined;
  }

  /** Gives back a slot taken by {@link acquire}. */
  release(ip: string): void {
    this.total--;
    const current = this.perIp.get(ip) ?? 1;
    // Delete at zero so the map does not grow with every address ever seen.
    if (current <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, current - 1);
  }
}
