/**
 * Sessions, CSRF tokens, user tokens and credentials: the controller's front door state. One
 * `FrontDoor` per engine (no module state). Session ids and tokens are random even under
 * `--seed`: they are secrets, not data a scenario replays.
 */
import { nanoid } from 'nanoid';
import { safeEqual } from '../core/http-auth.js';

export interface Credential {
  username: string;
  password: string;
}

export interface Session {
  id: string;
  csrf: string;
  username: string;
  lastUsed: number;
}

export interface UserToken {
  uuid: string;
  token: string;
  username: string;
  /** ms since epoch */
  expiresAt: number;
}

export class FrontDoor {
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, UserToken>();
  private readonly passwords = new Map<string, string>();

  constructor(
    credentials: Credential[],
    /** idle timeout in minutes, read at each check (it follows controllerproperties) */
    private readonly idleMinutes: () => number,
    private readonly now: () => number = Date.now,
  ) {
    this.setCredentials(credentials);
  }

  /** Ends every session at once (a session-expiry fault); user tokens stay valid. */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  /** Who can log in from now on (a scenario loaded at run time brings its own users). */
  setCredentials(credentials: Credential[]): void {
    this.passwords.clear();
    for (const c of credentials) this.passwords.set(c.username, c.password);
  }

  checkPassword(username: string, password: string): boolean {
    const expected = this.passwords.get(username);
    return expected !== undefined && safeEqual(expected, password);
  }

  checkToken(username: string, token: string): boolean {
    const t = this.tokenEntry(token);
    return t !== undefined && t.username === username;
  }

  open(username: string): Session {
    const session: Session = { id: nanoid(32), csrf: nanoid(32), username, lastUsed: this.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id (its idle clock restarted), or undefined when unknown or expired. */
  use(id: string): Session | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const idle = this.idleMinutes();
    if (idle > 0 && this.now() - s.lastUsed > idle * 60_000) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsed = this.now();
    return s;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  issueToken(username: string, hours: number): UserToken {
    const t: UserToken = { uuid: nanoid(), token: nanoid(40), username, expiresAt: this.now() + hours * 3_600_000 };
    this.tokens.set(t.token, t);
    return t;
  }

  tokensOf(username: string): UserToken[] {
    return [...this.tokens.values()].filter((t) => t.username === username && this.tokenEntry(t.token));
  }

  revokeToken(username: string, match: { token?: string; uuid?: string }): boolean {
    for (const t of this.tokens.values()) {
      if (t.username !== username) continue;
      if ((match.token && t.token === match.token) || (match.uuid && t.uuid === match.uuid)) {
        this.tokens.delete(t.token);
        return true;
      }
    }
    return false;
  }

  private tokenEntry(token: string): UserToken | undefined {
    const t = this.tokens.get(token);
    if (t && t.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return t;
  }
}
